"""dlbook.prose.textgen: every branch of chapter 3's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import textgen as prose


def test_rounding_verdict_every_branch():
    assert prose.rounding_verdict(0.0) == "identical"
    assert prose.rounding_verdict(3e-7) == "equal up to float rounding (they differ by 3e-07)"
    assert prose.rounding_verdict(0.01).startswith("different")


def test_trend_verdict_reads_the_direction_only():
    assert prose.trend_verdict([1, 2, 3]) == "rises"
    # A dip in between does not change the reading: only the ends do.
    assert prose.trend_verdict([1, 0.5, 3]) == "rises"
    assert prose.trend_verdict([3, 2, 1]) == "falls"
    assert prose.trend_verdict([3, 4, 1]) == "falls"
    assert prose.trend_verdict([1, 2, 1]) == "ends where it started"
    assert {prose.trend_verdict(v).id for v in ([1, 2], [2, 1], [1, 1])} == {"rises", "falls", "unchanged"}


def test_temperature_verdicts_every_branch():
    def row(word_share, distinct):
        return {"entropy": 1.0, "word_share": word_share, "distinct_ngrams": distinct}

    usual = prose.temperature_verdicts(row(0.9, 0.3), row(0.7, 0.8), row(0.4, 0.95))
    assert set(usual) == {"temperature_verdict"}
    assert usual["temperature_verdict"].startswith("low temperatures give safe, repetitive text")
    assert usual["temperature_verdict"].id == "usual_trade"
    # Either half of the trade missing is not the usual trade.
    no_repeats = prose.temperature_verdicts(row(0.9, 0.9), row(0.7, 0.8), row(0.4, 0.5))
    no_invention = prose.temperature_verdicts(row(0.4, 0.3), row(0.7, 0.8), row(0.9, 0.95))
    for odd in (no_repeats, no_invention):
        assert odd["temperature_verdict"].startswith("here the measurements do not show")
        assert odd["temperature_verdict"].id == "no_usual_trade"


def test_nucleus_size_verdict_every_branch():
    names = {"p": 0.9, "sure_context": "after “my good l”", "unsure_context": "after “my good ”"}
    adapts = prose.nucleus_size_verdict(2, 18, **names)
    assert adapts.id == "adapts"
    assert adapts.startswith("With p = 0.9 the nucleus holds 2 characters after “my good l” and 18 characters")
    assert adapts.endswith("where the model is sure and more where it is not.")
    assert "1 character after" in prose.nucleus_size_verdict(1, 5, **names)
    assert prose.nucleus_size_verdict(6, 6, **names).id == "same_size"
    assert prose.nucleus_size_verdict(9, 3, **names).id == "reversed"


TEMPERATURE_ROWS = [{"temperature": t, "word_share": w, "distinct_ngrams": d}
                    for t, w, d in ((0.2, 0.8, 0.4), (0.5, 0.76, 0.9), (1.0, 0.48, 1.0), (1.5, 0.26, 1.0))]


def setting(word_share, distinct, method="top-k", label="k = 5"):
    return {"method": method, "setting": label, "word_share": word_share, "distinct_ngrams": distinct}


def test_the_temperature_curve_is_read_between_its_points_and_held_beyond_its_ends():
    assert prose._curve_at(TEMPERATURE_ROWS, 0.95) == pytest.approx(0.62)  # halfway from T = 0.5 to T = 1
    assert prose._curve_at(TEMPERATURE_ROWS, 0.3) == pytest.approx(0.8)  # less varied than T = 0.2
    # Unsorted rows: the curve is read in order of variety, whatever the rows' order.
    assert prose._curve_at(TEMPERATURE_ROWS[::-1], 0.65) == pytest.approx(0.78)
    # Where noise folds the curve back, its highest value at that variety counts.
    folded = TEMPERATURE_ROWS[:3] + [{"temperature": 1.2, "word_share": 0.9, "distinct_ngrams": 0.9}]
    assert prose._curve_at(folded, 0.95) == pytest.approx(0.69)  # not 0.62, on the way from T = 0.5
    # Beyond the most varied end, the highest value there.
    assert prose._curve_at(TEMPERATURE_ROWS, 1.01) == pytest.approx(0.48)


def test_truncation_verdicts_every_branch():
    above = prose.truncation_verdicts(TEMPERATURE_ROWS, [setting(0.7, 0.95), setting(0.6, 0.99, "nucleus", "p = 0.9")])
    assert set(above) == {"truncation_curve_verdict", "truncation_example_verdict"}
    assert above["truncation_curve_verdict"].id == "none_below"
    assert "all 2 settings lie above it by more than 3 points" in above["truncation_curve_verdict"]
    example = above["truncation_example_verdict"]
    assert example.id == "example_above"
    assert example == ("For example, top-k sampling at k = 5 keeps 70.0% known words at 0.950 distinct bigrams, "
                       "8.0 points more than the temperature curve at the same variety (62.0%).")
    # Within the margin of the curve: on it, although a little above.
    on = prose.truncation_verdicts(TEMPERATURE_ROWS, [setting(0.64, 0.95)])
    assert on["truncation_curve_verdict"].id == "on_curve" and on["truncation_example_verdict"].id == "example_on"
    # One setting on, one above: none below, one counted above.
    mixed = prose.truncation_verdicts(TEMPERATURE_ROWS, [setting(0.64, 0.95), setting(0.7, 0.95)])
    assert mixed["truncation_curve_verdict"].id == "none_below"
    assert "1 of the 2 settings lie above" in mixed["truncation_curve_verdict"]
    below = prose.truncation_verdicts(TEMPERATURE_ROWS, [setting(0.5, 0.95), setting(0.7, 0.95)])
    assert below["truncation_curve_verdict"].id == "some_below"
    assert below["truncation_curve_verdict"].startswith("1 of the 2 settings lies below the temperature curve")
    assert below["truncation_example_verdict"].id == "example_below"
    assert "12.0 points fewer" in below["truncation_example_verdict"]
    # A wider margin moves a setting onto the curve.
    assert prose.truncation_verdicts(TEMPERATURE_ROWS, [setting(0.7, 0.95)], margin=0.1)[
        "truncation_curve_verdict"].id == "on_curve"


def test_carried_state_verdict_every_branch():
    helps = prose.carried_state_verdict(1.453, 1.485)
    assert helps.id == "helps" and "0.032 nats" in helps
    assert prose.carried_state_verdict(1.4845, 1.485).id == "no_help"
    assert prose.carried_state_verdict(1.486, 1.485).id == "no_help"
    hurts = prose.carried_state_verdict(1.50, 1.485)
    assert hurts.id == "hurts" and "0.015 nats" in hurts
    # The difference of the losses as printed: 2.163 - 2.154, not 2.16345 - 2.15385.
    assert "0.009 nats" in prose.carried_state_verdict(2.15385, 2.16345)

