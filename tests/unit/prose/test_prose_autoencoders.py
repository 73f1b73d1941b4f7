"""dlbook.prose.autoencoders: every branch of chapter 1's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import autoencoders as prose


SIZES = (16, 32, 64, 128)

def test_latent_sweep_verdicts_when_bce_returns_diminish_but_psnr_gains_grow() -> None:
    texts = sweep((0.166, 0.139, 0.114, 0.093), (15.1, 16.6, 18.4, 20.9), (0.033, 0.0245, 0.0163, 0.0095))
    assert texts["bce_trend_verdict"] == "falls at every doubling of the latent size"
    assert texts["bce_returns_verdict"] == "each doubling buys less than the one before"
    assert texts["returns_verdict"].startswith("So the returns diminish in BCE")
    assert texts["bce_gains_text"].startswith("Going from 16 to 32 lowers the BCE by 0.0270")
    assert texts["psnr_gains_text"] == "1.50, 1.80 and 2.50"
    assert texts["mse_factors_text"] == "1.35, 1.50 and 1.72"

def test_latent_sweep_verdicts_when_both_diminish() -> None:
    texts = sweep((0.20, 0.15, 0.12, 0.11), (14.0, 16.0, 17.0, 17.5), (0.04, 0.025, 0.02, 0.018))
    assert texts["returns_verdict"].startswith("By both measures each doubling buys less")

def test_latent_sweep_verdicts_when_only_psnr_diminishes() -> None:
    texts = sweep((0.20, 0.19, 0.17, 0.14), (14.0, 16.0, 17.0, 17.5), (0.04, 0.025, 0.02, 0.018))
    assert texts["returns_verdict"] == "So the returns diminish in PSNR, but not at every step in BCE."
    assert texts["bce_returns_verdict"] == "the gains do not shrink at every doubling"

def test_latent_sweep_verdicts_when_nothing_diminishes_and_bce_rises() -> None:
    texts = sweep((0.20, 0.21, 0.17, 0.10), (14.0, 14.5, 15.5, 17.0), (0.04, 0.035, 0.03, 0.02))
    assert texts["bce_trend_verdict"] == "does not fall at every doubling of the latent size"
    assert "from 16 to 32 raises the BCE by 0.0100" in texts["bce_gains_text"]
    assert texts["returns_verdict"].startswith("Over this range the returns are not diminishing")

def test_latent_sweep_verdicts_with_a_latent_size_between_doublings() -> None:
    texts = sweep((0.2, 0.18, 0.15), (14.0, 15.0, 16.5), (0.04, 0.03, 0.02), sizes=(16, 24, 32))
    assert texts["bce_trend_verdict"] == "falls at every step up in latent size"

def test_latent_sweep_verdicts_with_a_single_size() -> None:
    texts = sweep((0.2,), (14.0,), (0.04,), sizes=(32,))
    assert texts["returns_verdict"] == "With a single latent size there are no steps to compare."


@pytest.mark.parametrize(("share", "start", "shown"), [
    (0.0, "The codes are dense", "none of the code numbers"),
    (0.0037, "The codes are dense", "under 1%"),
    (0.061, "The codes are dense", "6%"),
    (0.3, "The codes are partly sparse", "30%"),
    (0.7, "The codes are sparse", "70%"),
])
def test_sparsity_verdict_follows_the_zero_share(share: float, start: str, shown: str) -> None:
    verdict = prose.sparsity_verdict(share)
    assert verdict.startswith(start) and shown in verdict
    # The contradiction: "sparse" for a few per cent of zeros.
    assert ("sparse" in verdict) == (share >= 0.1)


def test_sparsity_verdict_refuses_a_share_outside_zero_to_one() -> None:
    with pytest.raises(ValueError):
        prose.sparsity_verdict(1.5)


@pytest.mark.parametrize(("train", "val", "words"), [
    (0.1400, 0.1398, "about as well"), (0.100, 0.120, "training digits noticeably better"),
    (0.120, 0.100, "validation digits are reconstructed better"),
])
def test_generalisation_verdict(train: float, val: float, words: str) -> None:
    assert words in prose.generalisation_verdict(train, val)


@pytest.mark.parametrize(("test", "val", "words"), [
    (0.1394, 0.1398, "close to the validation loss of 0.1398"),
    (0.150, 0.100, "50% above the validation loss of 0.1000: the test digits are harder"),
    (0.080, 0.100, "20% below the validation loss of 0.1000: the test digits are easier"),
])
def test_holdout_verdict(test: float, val: float, words: str) -> None:
    assert words in prose.holdout_verdict(test, val)


@pytest.mark.parametrize(("dead", "text"), [
    (0, "None of the 32 code units is zero for every test digit"),
    (1, "1 of the 32 code units is zero for every test digit: a dead unit"),
    (3, "3 of the 32 code units are zero for every test digit: dead units"),
    (32, "All 32 code units are zero for every test digit"),
])
def test_dead_units_verdict_counts_in_words(dead: int, text: str) -> None:
    verdict = prose.dead_units_verdict(dead, 32)
    assert verdict.startswith(text)
    assert "0 of the" not in verdict


@pytest.mark.parametrize(("correlation", "words"), [
    (0.84, "strongly correlated"), (0.5, "moderately correlated"), (-0.8, "digits with more ink have less error"),
    (0.2, "ink explains little"),
])
def test_ink_verdict(correlation: float, words: str) -> None:
    verdict = prose.ink_verdict(correlation)
    assert words in verdict
    # Only a positive, noticeable correlation may blame the ink.
    assert ("simply ink" in verdict) == (correlation >= 0.4)


@pytest.mark.parametrize(("ratio", "words"), [(2.1, "2.1 times"), (0.7, "only 0.7 times"), (1.0, "about the test set's")])
def test_worst_ink_verdict(ratio: float, words: str) -> None:
    verdict = prose.worst_ink_verdict(ratio)
    assert words in verdict
    assert ("thick strokes" in verdict) == (ratio > 1.1)


def sweep(bce: tuple, psnr: tuple, mse: tuple, sizes: tuple = SIZES) -> dict[str, str]:
    return prose.latent_sweep_verdicts(dict(zip(sizes, bce)), dict(zip(sizes, psnr)), dict(zip(sizes, mse)))


def test_pca_verdict_branches() -> None:
    ae = {16: 0.030, 32: 0.020, 64: 0.015}
    everywhere = prose.pca_verdict(ae, {16: 0.040, 32: 0.030, 64: 0.020}, epochs=50)
    assert everywhere["pca_wins_verdict"] == "at every latent size"
    assert "beats the best linear compressor" in everywhere["pca_verdict"]
    nowhere = prose.pca_verdict(ae, {16: 0.025, 32: 0.015, 64: 0.008}, epochs=1)
    assert nowhere["pca_wins_verdict"] == "at none of the latent sizes"
    assert "after 1 epoch of gradient descent" in nowhere["pca_verdict"]
    one = prose.pca_verdict(ae, {16: 0.035, 32: 0.015, 64: 0.008}, epochs=8)
    assert one["pca_wins_verdict"] == "only at latent size 16"
    assert "ahead at 16, PCA's exact linear solution at 32 and 64" in one["pca_verdict"]
    two = prose.pca_verdict(ae, {16: 0.035, 32: 0.025, 64: 0.008}, epochs=8)
    assert two["pca_wins_verdict"] == "only at latent sizes 16 and 32"


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_pca_smallest_verdict_when_the_autoencoder_wins(profile: str) -> None:
    verdict = prose.pca_smallest_verdict(0.020, 0.025, 16, profile=profile, epochs=8)
    assert verdict.startswith("At the smallest code, 16 numbers, the autoencoder's MSE (0.0200) is below PCA's")
    assert "full profile" not in verdict  # Agrees with the full profile: nothing to explain.


def test_pca_smallest_verdict_says_when_the_quick_profile_reverses_the_full_lesson() -> None:
    verdict = prose.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=True)
    assert "PCA's MSE (0.0250) is below the autoencoder's (0.0330) in this build" in verdict
    assert "The full profile shows the opposite" in verdict
    assert "the quick profile's 8 epochs train too little to show it" in verdict


def test_pca_smallest_verdict_in_the_full_profile_states_only_its_own_numbers() -> None:
    verdict = prose.pca_smallest_verdict(0.033, 0.025, 16, profile="full", epochs=50)
    assert "too little" not in verdict and "full profile" not in verdict
    assert verdict.endswith("Here the non-linearity does not pay for itself in MSE.")


def test_pca_smallest_verdict_when_the_recorded_full_result_is_a_pca_win() -> None:
    agrees = prose.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=False)
    assert "full profile" not in agrees
    differs = prose.pca_smallest_verdict(0.020, 0.025, 16, profile="quick", epochs=1, full_ae_wins=False)
    assert "PCA ahead of the autoencoder" in differs and "1 epoch trains too little" in differs


def test_size_cost_verdict_never_claims_a_time_cost_that_did_not_happen() -> None:
    slower = prose.size_cost_verdict(7.8, 1.5, 16, 128)
    assert "7.8 times the parameters" in slower and "took 1.5 times as long to train" in slower
    same = prose.size_cost_verdict(7.8, 1.0, 16, 128)
    assert "about the same" in same and "1.0 times as long" in same


def test_pca_smallest_verdict_without_a_recorded_full_build_states_only_this_build() -> None:
    verdict = prose.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=None)
    assert "full profile" not in verdict
    assert verdict.endswith("Here the non-linearity does not pay for itself in MSE.")
