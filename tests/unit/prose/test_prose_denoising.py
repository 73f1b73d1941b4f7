"""dlbook.prose.denoising: every branch of chapter 2's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import denoising as prose


def test_comparison_word() -> None:
    assert prose.comparison_word(1, 2) == "lower"
    assert prose.comparison_word(2, 1) == "higher"
    assert prose.comparison_word(2, 2) == "the same as"
    assert prose.comparison_word(2, 1, "shrinks to", "grows to", "stays at") == "grows to"


@pytest.mark.parametrize(("denoiser", "basic", "words", "branch"), [
    (0.034, 0.068, "The denoiser wins: the basic autoencoder's squared error is 2.00 times the denoiser's.",
     "denoiser_wins"),
    (0.05, 0.05, "The two models tie", "tie"),
    (0.068, 0.034, "The basic autoencoder wins: the denoiser's squared error is 2.00 times", "basic_wins"),
])
def test_noisy_verdict(denoiser: float, basic: float, words: str, branch: str) -> None:
    verdict = prose.noisy_verdict(denoiser, basic)
    assert verdict.startswith(words) and verdict.id == branch and verdict.endswith(".")


def test_clean_cost_verdict_branches() -> None:
    specialist = prose.clean_cost_verdict(0.073, 0.0245)
    assert "specialist" in specialist and specialist.id == "specialist"
    assert "2.98 times" not in specialist  # One decimal for a clear cost.
    costs_nothing = prose.clean_cost_verdict(0.02, 0.0245)
    assert "costs nothing" in costs_nothing and "0.82 times" in costs_nothing and costs_nothing.id == "no_cost"


def test_sweep_wins_verdict_says_a_shared_level_once() -> None:
    # The "from σ = 0.3 upward and beats doing nothing from σ = 0.3 upward".
    verdict = prose.sweep_wins_verdict(0.3, 0.3, 0.4)
    assert verdict.count("from σ = 0.3 upward") == 1
    assert verdict.startswith("The denoiser beats both the basic autoencoder and doing nothing from σ = 0.3")
    assert verdict.endswith("the basic autoencoder beats doing nothing only from σ = 0.4 upward.")
    assert verdict.id == "from+from+from+denoiser_first"


def test_sweep_wins_verdict_with_different_levels_and_branches() -> None:
    verdict = prose.sweep_wins_verdict(0.2, 0.3, 0.4)
    assert ("The denoiser beats the basic autoencoder from σ = 0.2 upward, and it beats doing nothing "
            "from σ = 0.3 upward") in verdict
    assert verdict.id == "from+from+from+denoiser_first"
    never = prose.sweep_wins_verdict(0.2, 0.3, None)
    assert "never beats doing nothing" in never and never.id == "from+from+never+denoiser_first"
    later = prose.sweep_wins_verdict(None, 0.5, 0.4)
    assert "at no level for good" in later and later.id == "never+from+from+basic_first"
    together = prose.sweep_wins_verdict(0.1, 0.4, 0.4)
    assert together.id.endswith("together") and "only" not in together


@pytest.mark.parametrize(("at_trained", "at_max", "words", "branch"), [
    (2.0, 1.34, "advantage over the basic autoencoder shrinks", "shrinks"),
    (2.0, 2.5, "advantage over the basic autoencoder grows", "grows"),
    (2.0, 2.0, "stays the same", "stays"),
    (2.0, 0.9, "advantage over the basic autoencoder is gone", "gone"),
])
def test_beyond_training_verdict(at_trained: float, at_max: float, words: str, branch: str) -> None:
    verdict = prose.beyond_training_verdict(at_trained, at_max, 0.9)
    assert words in verdict and verdict.id == branch and verdict.endswith(".")


@pytest.mark.parametrize(("at_zero", "input_ratio", "words", "branch"), [
    (0.073, 3.5, ("higher than at its training level", "still 3.5 times its own"), "clean_input_worse+beats_input"),
    (0.02, 3.5, ("no higher than at its training level", "still 3.5 times"), "clean_input_fine+beats_input"),
    (0.073, 0.8, ("higher than at its training level", "no longer beats doing nothing"),
     "clean_input_worse+loses_to_input"),
])
def test_specialist_verdict(at_zero: float, input_ratio: float, words: tuple[str, str], branch: str) -> None:
    verdict = prose.specialist_verdict(at_zero, 0.034, input_ratio, 0.9)
    assert all(word in verdict for word in words)
    assert verdict.id == branch


def test_anomaly_verdict_branches() -> None:
    basic = prose.anomaly_verdict(0.86, 0.71)
    assert basic.id == "basic_better" and "ROC AUC of 0.860 against the denoiser's 0.710" in basic
    denoiser = prose.anomaly_verdict(0.70, 0.80)
    assert denoiser.id == "denoiser_better" and "ROC AUC of 0.800 against the basic autoencoder's 0.700" in denoiser
    neither = prose.anomaly_verdict(0.5, 0.45)
    assert neither.id == "neither" and "no better than chance" in neither
