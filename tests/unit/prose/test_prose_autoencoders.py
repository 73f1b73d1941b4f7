"""dlbook.prose.autoencoders: every branch of chapter 1's verdicts, with synthetic numbers."""

from __future__ import annotations

import pytest

from dlbook.prose import autoencoders as prose

SIZES = (16, 32, 64, 128)


def sweep(bce: tuple, psnr: tuple, sizes: tuple = SIZES) -> dict[str, str]:
    return prose.latent_sweep_verdicts(dict(zip(sizes, bce)), dict(zip(sizes, psnr)))


def test_latent_sweep_verdicts_when_bce_returns_diminish_but_psnr_gains_do_not() -> None:
    # The contradiction: PSNR gains 3.59, 3.68, 2.59 dB. The sentence must not say
    # that they keep growing; it says that they do not shrink at every doubling.
    texts = sweep((0.166, 0.139, 0.114, 0.093), (15.0, 18.59, 22.27, 24.86))
    assert texts["bce_trend_verdict"] == ("The test BCE falls at every doubling of the latent size, "
                                          "from 0.1660 at 16 numbers to 0.0930 at 128.")
    assert texts["bce_trend_verdict"].id == "falls"
    returns = texts["returns_verdict"]
    assert returns.id == "bce_diminishes"
    assert "falls by 0.0270, 0.0250 and 0.0210" in returns
    assert "3.59, 3.68 and 2.59 dB, which do not shrink at every doubling" in returns
    assert "keeps falling" not in returns and "larger factor" not in returns


def test_latent_sweep_verdicts_when_both_diminish() -> None:
    texts = sweep((0.20, 0.15, 0.12, 0.11), (14.0, 16.0, 17.0, 17.5))
    assert texts["returns_verdict"].id == "both_diminish"
    assert texts["returns_verdict"].startswith("Each doubling buys less than the one before, by both measures")
    assert "rises by 2.00, 1.00 and 0.50 dB." in texts["returns_verdict"]


def test_latent_sweep_verdicts_when_only_psnr_diminishes() -> None:
    texts = sweep((0.20, 0.19, 0.17, 0.14), (14.0, 16.0, 17.0, 17.5))
    assert texts["returns_verdict"].id == "psnr_diminishes"
    assert "but in BCE the steps (0.0100, 0.0200 and 0.0300) do not shrink" in texts["returns_verdict"]


def test_latent_sweep_verdicts_when_nothing_diminishes_and_bce_rises() -> None:
    texts = sweep((0.20, 0.21, 0.17, 0.10), (14.0, 14.5, 15.5, 17.0))
    assert texts["bce_trend_verdict"].id == "does_not_fall"
    assert texts["bce_trend_verdict"].startswith("The test BCE does not fall at every doubling")
    assert texts["returns_verdict"].id == "not_diminishing"
    assert "changes by +0.0100, -0.0400 and -0.0700" in texts["returns_verdict"]


def test_latent_sweep_verdicts_with_a_latent_size_between_doublings() -> None:
    texts = sweep((0.2, 0.18, 0.15), (14.0, 15.0, 16.5), sizes=(16, 24, 32))
    assert "falls at every step up in latent size" in texts["bce_trend_verdict"]


def test_latent_sweep_verdicts_with_a_single_size() -> None:
    texts = sweep((0.2,), (14.0,), sizes=(32,))
    assert texts["returns_verdict"].id == texts["bce_trend_verdict"].id == "single_size"


def test_pca_smallest_verdict_both_branches() -> None:
    ahead = prose.pca_smallest_verdict(0.020, 0.025, 8)
    assert ahead.id == "ae_ahead"
    assert ahead.startswith("At the smallest code, 8 numbers, the autoencoder's MSE of 0.0200 is below "
                            "PCA's 0.0250")
    behind = prose.pca_smallest_verdict(0.033, 0.025, 8)
    assert behind.id == "pca_ahead"
    assert "PCA's MSE of 0.0250 is below the autoencoder's 0.0330" in behind
    # No build notes in the lesson.
    assert "profile" not in ahead + behind


ACCURACY = {8: 0.80, 16: 0.93, 32: 0.968, 64: 0.975, 128: 0.976}


def test_class_kept_verdict_names_the_smallest_code_that_keeps_the_class() -> None:
    verdict = prose.class_kept_verdict(ACCURACY, 0.975)
    assert verdict.id == "keeps_from_a_size"
    assert verdict.startswith("A code of 32 numbers is the smallest that keeps the class")
    assert "96.8% of its reconstructions right, within 1 point of the 97.5% of the originals" in verdict
    assert verdict.endswith("and at 16 numbers only 93.0%.")


def test_class_kept_verdict_when_the_smallest_code_already_keeps_it() -> None:
    verdict = prose.class_kept_verdict({8: 0.97, 16: 0.972}, 0.975)
    assert verdict.id == "smallest_keeps" and verdict.startswith("Even the smallest code, 8 numbers")


def test_class_kept_verdict_when_no_code_keeps_it() -> None:
    verdict = prose.class_kept_verdict({8: 0.5, 16: 0.9}, 0.975)
    assert verdict.id == "none_keeps"
    assert "even at 16 numbers the classifier reads 90.0%" in verdict


def test_class_kept_verdict_with_another_tolerance() -> None:
    verdict = prose.class_kept_verdict(ACCURACY, 0.975, tolerance=0.05)
    assert "16 numbers is the smallest" in verdict and "within 5 points" in verdict
