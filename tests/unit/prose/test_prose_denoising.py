"""dlbook.prose.denoising: every branch of chapter 2's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import denoising as prose


def test_comparison_word() -> None:
    assert prose.comparison_word(1, 2) == "lower"
    assert prose.comparison_word(2, 1) == "higher"
    assert prose.comparison_word(2, 2) == "the same as"
    assert prose.comparison_word(2, 1, "shrinks to", "grows to", "stays at") == "grows to"


@pytest.mark.parametrize(("denoiser", "basic", "words"), [
    (0.034, 0.068, "the denoiser wins: the basic autoencoder's squared error is 2.00 times the denoiser's"),
    (0.05, 0.05, "the two models tie"),
    (0.068, 0.034, "the basic autoencoder wins: the denoiser's squared error is 2.00 times"),
])
def test_noisy_verdict(denoiser: float, basic: float, words: str) -> None:
    assert prose.noisy_verdict(denoiser, basic).startswith(words)


def test_clean_cost_verdict_branches() -> None:
    assert "specialist" in prose.clean_cost_verdict(0.073, 0.0245)
    assert "2.98 times" not in prose.clean_cost_verdict(0.073, 0.0245)  # One decimal for a clear cost.
    costs_nothing = prose.clean_cost_verdict(0.02, 0.0245)
    assert "costs nothing" in costs_nothing and "0.82 times" in costs_nothing


def test_clean_vs_noisy_verdict_branches() -> None:
    assert "even higher" in prose.clean_vs_noisy_verdict(0.073, 0.034)
    assert "lower than on the noisy digits" in prose.clean_vs_noisy_verdict(0.02, 0.034)


def test_wins_from_text() -> None:
    assert prose.wins_from_text(0.3) == "from σ = 0.3 upward"
    assert prose.wins_from_text(None) == "at no level for good"


def test_ratio_agreement_verdict_says_why_two_ratios_differ() -> None:
    # The 2.00 against 2.01: two noise draws, said in words where they round differently.
    assert "same ratio" in prose.ratio_agreement_verdict(2.0049, 2.0012)
    differs = prose.ratio_agreement_verdict(2.0049, 2.0061)
    assert "it was 2.00" in differs and "draws its own noise" in differs


@pytest.mark.parametrize(("at_trained", "at_max", "words"), [
    (2.0, 1.34, "shrinks to a factor of 1.34 at σ = 0.9"), (2.0, 2.5, "grows to a factor of 2.50"),
    (2.0, 2.0, "stays at a factor of 2.00"), (2.0, 0.9, "advantage over the basic autoencoder is gone"),
])
def test_beyond_training_verdict(at_trained: float, at_max: float, words: str) -> None:
    assert words in prose.beyond_training_verdict(at_trained, at_max, 0.9)


@pytest.mark.parametrize(("at_zero", "input_ratio", "words"), [
    (0.073, 3.5, ("higher than at its training level", "still 3.5 times its own")),
    (0.02, 3.5, ("lower than at its training level", "still 3.5 times")),
    (0.073, 0.8, ("higher than at its training level", "no longer beats doing nothing")),
])
def test_specialist_verdict(at_zero: float, input_ratio: float, words: tuple[str, str]) -> None:
    verdict = prose.specialist_verdict(at_zero, 0.034, input_ratio, 0.9)
    assert all(word in verdict for word in words)
