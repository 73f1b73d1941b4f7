"""dlbook.prose.textgen: every branch of chapter 3's verdicts, with synthetic numbers."""

from __future__ import annotations

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
