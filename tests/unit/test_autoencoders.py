"""Chapter 1's code: model shapes and weight sharing, metrics on known inputs, PCA, figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dlbook import autoencoders  # noqa: E402

# ------------------------------------------------------------------ model


@pytest.mark.parametrize("latent_dim", [2, 32])
def test_build_autoencoder_shapes(latent_dim: int) -> None:
    autoencoder, encoder, decoder = autoencoders.build_autoencoder(latent_dim)
    assert autoencoder.input_shape == (None, 784) and autoencoder.output_shape == (None, 784)
    assert encoder.output_shape == (None, latent_dim)
    assert decoder.input_shape == (None, latent_dim) and decoder.output_shape == (None, 784)
    # 784 * k + k weights in, k * 784 + 784 out.
    assert autoencoder.count_params() == 784 * latent_dim + latent_dim + latent_dim * 784 + 784
    assert encoder.count_params() + decoder.count_params() == autoencoder.count_params()


def test_outputs_are_pixels_and_codes_are_non_negative() -> None:
    autoencoder, encoder, _ = autoencoders.build_autoencoder(8)
    x = np.random.default_rng(0).random((5, 784)).astype("float32")
    outputs = autoencoder.predict(x, verbose=0)
    assert outputs.min() > 0 and outputs.max() < 1  # sigmoid
    assert encoder.predict(x, verbose=0).min() >= 0  # relu


def test_encoder_and_decoder_share_weights_with_the_autoencoder() -> None:
    autoencoder, encoder, decoder = autoencoders.build_autoencoder(4)
    assert encoder.layers[-1] is autoencoder.layers[1]
    assert decoder.layers[-1] is autoencoder.layers[2]
    x = np.random.default_rng(1).random((3, 784)).astype("float32")
    np.testing.assert_allclose(decoder.predict(encoder.predict(x, verbose=0), verbose=0),
                               autoencoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    # Changing the autoencoder's weights changes the halves too (no copies).
    kernel = autoencoder.layers[1].kernel
    kernel.assign(np.zeros(kernel.shape, "float32"))
    np.testing.assert_array_equal(encoder.predict(x, verbose=0), 0.0)


def test_build_autoencoder_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="latent_dim"):
        autoencoders.build_autoencoder(0)


def test_one_training_step_lowers_the_loss_on_tiny_data() -> None:
    import keras

    keras.utils.set_random_seed(0)
    autoencoder, _, _ = autoencoders.build_autoencoder(4, input_dim=16)
    autoencoder.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    x = (np.random.default_rng(0).random((32, 16)) > 0.5).astype("float32")
    before = autoencoder.evaluate(x, x, verbose=0)
    autoencoder.fit(x, x, epochs=5, batch_size=32, verbose=0)
    assert autoencoder.evaluate(x, x, verbose=0) < before


def test_profile_sizes_match_the_active_constants() -> None:
    # The constants are picked at import time, from one and the same profile.
    chosen = {"epochs": autoencoders.EPOCHS, "train_size": autoencoders.TRAIN_SIZE}
    assert chosen in list(autoencoders.PROFILE_SIZES.values())
    assert set(autoencoders.PROFILE_SIZES) == {"quick", "full"}
    assert autoencoders.PROFILE_SIZES["full"]["epochs"] > autoencoders.PROFILE_SIZES["quick"]["epochs"]
    assert autoencoders.INPUT_DIM == 784 and autoencoders.IMAGE_SHAPE == (28, 28)


# ------------------------------------------------------------------ metrics


def test_mse_of_known_arrays() -> None:
    target = np.array([[0.0, 0.0], [1.0, 1.0]])
    prediction = np.array([[0.0, 1.0], [1.0, 0.5]])
    assert autoencoders.mse(target, prediction) == pytest.approx((0 + 1 + 0 + 0.25) / 4)
    np.testing.assert_allclose(autoencoders.mse(target, prediction, per_image=True), [0.5, 0.125])
    with pytest.raises(ValueError, match="Shapes"):
        autoencoders.mse(target, prediction[:1])


def test_psnr_of_identical_images_is_capped_and_known_values() -> None:
    images = np.random.default_rng(0).random((4, 28, 28))
    assert autoencoders.psnr(images, images) == autoencoders.PSNR_CAP
    # Every pixel off by 0.1: MSE 0.01, PSNR 10 log10(1 / 0.01) = 20 dB.
    assert autoencoders.psnr(np.zeros((2, 9)), np.full((2, 9), 0.1)) == pytest.approx(20.0)
    per_image = autoencoders.psnr(np.zeros((2, 4)), np.stack([np.zeros(4), np.full(4, 0.1)]), per_image=True)
    np.testing.assert_allclose(per_image, [autoencoders.PSNR_CAP, 20.0])


def test_binary_crossentropy_matches_keras_and_the_formula() -> None:
    import keras

    rng = np.random.default_rng(0)
    target, prediction = rng.random((6, 784)), rng.uniform(0.01, 0.99, (6, 784))
    expected = float(keras.losses.BinaryCrossentropy()(target.astype("float32"), prediction.astype("float32")))
    assert autoencoders.binary_crossentropy(target, prediction) == pytest.approx(expected, rel=1e-4)
    # A 0.5 prediction costs log 2 nats per pixel whatever the target.
    assert autoencoders.binary_crossentropy(target, np.full_like(target, 0.5)) == pytest.approx(np.log(2))
    # Binary targets predicted exactly cost (almost) nothing; grey ones cannot.
    binary = (target > 0.5).astype(float)
    assert autoencoders.binary_crossentropy(binary, binary) < 1e-5
    assert autoencoders.binary_crossentropy(np.full((1, 4), 0.5), np.full((1, 4), 0.5)) == pytest.approx(np.log(2))


def test_reconstruction_scores_bundle_the_three_metrics() -> None:
    target = np.zeros((2, 9))
    scores = autoencoders.reconstruction_scores(target, np.full((2, 9), 0.1))
    assert set(scores) == {"bce", "mse", "psnr"}
    assert scores["mse"] == pytest.approx(0.01) and scores["psnr"] == pytest.approx(20.0)
    assert scores["bce"] == pytest.approx(-np.log(0.9))


def test_compression_ratio() -> None:
    assert autoencoders.compression_ratio(32) == 24.5
    assert autoencoders.compression_ratio(16) == 49.0
    with pytest.raises(ValueError):
        autoencoders.compression_ratio(0)


def test_per_class_mean_and_dead_units() -> None:
    np.testing.assert_allclose(autoencoders.per_class_mean([1.0, 3.0, 5.0], np.array([0, 0, 2]), num_classes=3),
                               [2.0, np.nan, 5.0])
    with pytest.raises(ValueError):
        autoencoders.per_class_mean([1.0], np.array([0, 1]))
    codes = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert autoencoders.dead_units(codes) == 1


def test_interpolate_includes_both_ends_and_is_linear() -> None:
    path = autoencoders.interpolate(np.zeros(3), np.full(3, 4.0), steps=5)
    assert path.shape == (5, 3)
    np.testing.assert_allclose(path[:, 0], [0, 1, 2, 3, 4])
    with pytest.raises(ValueError):
        autoencoders.interpolate(np.zeros(3), np.zeros(3), steps=1)
    with pytest.raises(ValueError):
        autoencoders.interpolate(np.zeros(3), np.zeros(2), steps=3)


def test_summarize_trend() -> None:
    trend = autoencoders.summarize_trend({16: 0.2, 32: 0.1, 64: 0.05, 128: 0.04})
    assert trend["monotone"] and trend["diminishing"]
    np.testing.assert_allclose(trend["gains"], [0.1, 0.05, 0.01])
    assert not autoencoders.summarize_trend({16: 0.2, 32: 0.25})["monotone"]
    assert autoencoders.summarize_trend({16: 10.0, 32: 20.0}, lower_is_better=False)["monotone"]


# ------------------------------------------------------------------ PCA


def test_pca_recovers_data_in_a_subspace_exactly() -> None:
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(10, 3)))[0].T  # 3 orthonormal directions in 10-D
    x = rng.normal(size=(200, 3)) @ basis + 5.0
    pca = autoencoders.fit_pca(x, 3)
    np.testing.assert_allclose(pca.reconstruct(x), x, atol=1e-9)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(3), atol=1e-12)
    assert pca.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert np.all(np.diff(pca.explained_variance_ratio) <= 0)


def test_pca_matches_scikit_learn_and_truncation_equals_refitting() -> None:
    from sklearn.decomposition import PCA

    x = np.random.default_rng(1).random((300, 20))
    ours = autoencoders.fit_pca(x, 8)
    theirs = PCA(n_components=5, svd_solver="full").fit(x)
    np.testing.assert_allclose(ours.truncate(5).reconstruct(x), theirs.inverse_transform(theirs.transform(x)),
                               atol=1e-8)
    np.testing.assert_allclose(ours.truncate(5).reconstruct(x), autoencoders.fit_pca(x, 5).reconstruct(x), atol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_ratio[:5], theirs.explained_variance_ratio_, rtol=1e-8)
    with pytest.raises(ValueError):
        ours.truncate(9)
    with pytest.raises(ValueError):
        autoencoders.fit_pca(x, 0)


# ------------------------------------------------------------------ tables and figures


@pytest.fixture
def latent_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"parameters": [25888, 50992], "compression": [49.0, 24.5], "bce": [0.12, 0.1],
         "mse": [0.02, 0.015], "psnr": [17.0, 18.5], "seconds": [10.0, 12.0]},
        index=pd.Index([16, 32], name="latent size"),
    )


def test_format_latent_table_renames_and_formats(latent_table: pd.DataFrame) -> None:
    html = autoencoders.format_latent_table(latent_table).to_html()
    assert "test BCE" in html and "training time (s)" in html and "24.5x" in html and "25,888" in html


def test_plot_error_vs_latent_draws_both_curves(latent_table: pd.DataFrame) -> None:
    fig = autoencoders.plot_error_vs_latent(latent_table, latent_table * 1.1, metrics=("bce", "psnr"))
    assert len(fig.axes) == 2 and fig._suptitle.get_text()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "latent size" and ax.get_ylabel() == "test BCE"
    assert [line.get_label() for line in ax.get_lines()] == ["autoencoder", "PCA"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.12, 0.1])


def test_plot_per_digit_error_and_projection() -> None:
    fig = autoencoders.plot_per_digit_error(np.arange(10) / 10)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() == "digit" and len(ax.patches) == 10
    points = np.random.default_rng(0).normal(size=(30, 2))
    labels = np.arange(30) % 10
    fig = autoencoders.plot_latent_projection(points, labels)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and len(ax.collections) == 10
    with pytest.raises(ValueError):
        autoencoders.plot_latent_projection(points[:, :1], labels)


# ------------------------------------------------------------------ real data


def _rows(images: np.ndarray) -> set[bytes]:
    return {row.tobytes() for row in images.reshape(len(images), -1)}


def test_mnist_splits_are_flat_scaled_and_disjoint(real_data) -> None:
    splits = autoencoders.load_mnist_splits(train_size=1000)
    assert splits.x_train.shape == (1000, 784) and splits.x_val.shape == (10_000, 784)
    assert splits.x_test.shape == (10_000, 784) and splits.x_train.dtype == np.float32
    assert 0.0 <= splits.x_train.min() and splits.x_train.max() <= 1.0
    assert len(splits.y_train) == 1000 and set(np.unique(splits.y_val)) == set(range(10))
    # No digit is in two splits (MNIST holds no exact duplicates across them).
    train, validation, test = _rows(splits.x_train), _rows(splits.x_val), _rows(splits.x_test)
    assert len(train) == 1000 and len(validation) == len(test) == 10_000
    assert not train & validation and not train & test and not validation & test


def test_mnist_splits_take_training_digits_from_the_front_and_validation_from_the_end(monkeypatch) -> None:
    from dlbook import data

    # Every fake image holds its own index in its first two pixels, so a
    # digit's origin can be read back after the split.
    def images(count: int, offset: int) -> np.ndarray:
        array = np.zeros((count, 28, 28), np.uint8)
        index = np.arange(offset, offset + count)
        array[:, 0, 0], array[:, 0, 1] = index // 256, index % 256
        return array

    monkeypatch.setattr(data, "load_mnist", lambda: ((images(60_000, 0), np.arange(60_000) % 10),
                                                     (images(10_000, 0), np.arange(10_000) % 10)))
    splits = autoencoders.load_mnist_splits(train_size=300)

    def origin(x: np.ndarray) -> np.ndarray:
        pixels = np.rint(x[:, :2] * 255).astype(int)
        return pixels[:, 0] * 256 + pixels[:, 1]

    np.testing.assert_array_equal(origin(splits.x_train), np.arange(300))
    np.testing.assert_array_equal(origin(splits.x_val), np.arange(50_000, 60_000))
    assert not set(origin(splits.x_train)) & set(np.arange(50_000, 60_000))
    np.testing.assert_array_equal(splits.y_val, np.arange(50_000, 60_000) % 10)


# ------------------------------------------------------------------ verdicts
# Every branch, with synthetic numbers, so the full profile's wording is tested too.


@pytest.mark.parametrize(("share", "start", "shown"), [
    (0.0, "The codes are dense", "none of the code numbers"),
    (0.0037, "The codes are dense", "under 1%"),
    (0.061, "The codes are dense", "6%"),
    (0.3, "The codes are partly sparse", "30%"),
    (0.7, "The codes are sparse", "70%"),
])
def test_sparsity_verdict_follows_the_zero_share(share: float, start: str, shown: str) -> None:
    verdict = autoencoders.sparsity_verdict(share)
    assert verdict.startswith(start) and shown in verdict
    # The contradiction: "sparse" for a few per cent of zeros.
    assert ("sparse" in verdict) == (share >= 0.1)


def test_sparsity_verdict_refuses_a_share_outside_zero_to_one() -> None:
    with pytest.raises(ValueError):
        autoencoders.sparsity_verdict(1.5)


@pytest.mark.parametrize(("train", "val", "words"), [
    (0.1400, 0.1398, "about as well"), (0.100, 0.120, "training digits noticeably better"),
    (0.120, 0.100, "validation digits are reconstructed better"),
])
def test_generalisation_verdict(train: float, val: float, words: str) -> None:
    assert words in autoencoders.generalisation_verdict(train, val)


@pytest.mark.parametrize(("test", "val", "words"), [
    (0.1394, 0.1398, "close to the validation loss of 0.1398"),
    (0.150, 0.100, "50% above the validation loss of 0.1000: the test digits are harder"),
    (0.080, 0.100, "20% below the validation loss of 0.1000: the test digits are easier"),
])
def test_holdout_verdict(test: float, val: float, words: str) -> None:
    assert words in autoencoders.holdout_verdict(test, val)


@pytest.mark.parametrize(("dead", "text"), [
    (0, "None of the 32 code units is zero for every test digit"),
    (1, "1 of the 32 code units is zero for every test digit: a dead unit"),
    (3, "3 of the 32 code units are zero for every test digit: dead units"),
    (32, "All 32 code units are zero for every test digit"),
])
def test_dead_units_verdict_counts_in_words(dead: int, text: str) -> None:
    verdict = autoencoders.dead_units_verdict(dead, 32)
    assert verdict.startswith(text)
    assert "0 of the" not in verdict


@pytest.mark.parametrize(("correlation", "words"), [
    (0.84, "strongly correlated"), (0.5, "moderately correlated"), (-0.8, "digits with more ink have less error"),
    (0.2, "ink explains little"),
])
def test_ink_verdict(correlation: float, words: str) -> None:
    verdict = autoencoders.ink_verdict(correlation)
    assert words in verdict
    # Only a positive, noticeable correlation may blame the ink.
    assert ("simply ink" in verdict) == (correlation >= 0.4)


@pytest.mark.parametrize(("ratio", "words"), [(2.1, "2.1 times"), (0.7, "only 0.7 times"), (1.0, "about the test set's")])
def test_worst_ink_verdict(ratio: float, words: str) -> None:
    verdict = autoencoders.worst_ink_verdict(ratio)
    assert words in verdict
    assert ("thick strokes" in verdict) == (ratio > 1.1)


SIZES = (16, 32, 64, 128)


def sweep(bce: tuple, psnr: tuple, mse: tuple, sizes: tuple = SIZES) -> dict[str, str]:
    return autoencoders.latent_sweep_verdicts(dict(zip(sizes, bce)), dict(zip(sizes, psnr)), dict(zip(sizes, mse)))


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


def test_pca_verdict_branches() -> None:
    ae = {16: 0.030, 32: 0.020, 64: 0.015}
    everywhere = autoencoders.pca_verdict(ae, {16: 0.040, 32: 0.030, 64: 0.020}, epochs=50)
    assert everywhere["pca_wins_verdict"] == "at every latent size"
    assert "beats the best linear compressor" in everywhere["pca_verdict"]
    nowhere = autoencoders.pca_verdict(ae, {16: 0.025, 32: 0.015, 64: 0.008}, epochs=1)
    assert nowhere["pca_wins_verdict"] == "at none of the latent sizes"
    assert "after 1 epoch of gradient descent" in nowhere["pca_verdict"]
    one = autoencoders.pca_verdict(ae, {16: 0.035, 32: 0.015, 64: 0.008}, epochs=8)
    assert one["pca_wins_verdict"] == "only at latent size 16"
    assert "ahead at 16, PCA's exact linear solution at 32 and 64" in one["pca_verdict"]
    two = autoencoders.pca_verdict(ae, {16: 0.035, 32: 0.025, 64: 0.008}, epochs=8)
    assert two["pca_wins_verdict"] == "only at latent sizes 16 and 32"


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_pca_smallest_verdict_when_the_autoencoder_wins(profile: str) -> None:
    verdict = autoencoders.pca_smallest_verdict(0.020, 0.025, 16, profile=profile, epochs=8)
    assert verdict.startswith("At the smallest code, 16 numbers, the autoencoder's MSE (0.0200) is below PCA's")
    assert "full profile" not in verdict  # Agrees with the full profile: nothing to explain.


def test_pca_smallest_verdict_says_when_the_quick_profile_reverses_the_full_lesson() -> None:
    verdict = autoencoders.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=True)
    assert "PCA's MSE (0.0250) is below the autoencoder's (0.0330) in this build" in verdict
    assert "The full profile shows the opposite" in verdict
    assert "the quick profile's 8 epochs train too little to show it" in verdict


def test_pca_smallest_verdict_in_the_full_profile_states_only_its_own_numbers() -> None:
    verdict = autoencoders.pca_smallest_verdict(0.033, 0.025, 16, profile="full", epochs=50)
    assert "too little" not in verdict and "full profile" not in verdict
    assert verdict.endswith("Here the non-linearity does not pay for itself in MSE.")


def test_pca_smallest_verdict_when_the_recorded_full_result_is_a_pca_win() -> None:
    agrees = autoencoders.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=False)
    assert "full profile" not in agrees
    differs = autoencoders.pca_smallest_verdict(0.020, 0.025, 16, profile="quick", epochs=1, full_ae_wins=False)
    assert "PCA ahead of the autoencoder" in differs and "1 epoch trains too little" in differs


def test_size_cost_verdict_never_claims_a_time_cost_that_did_not_happen() -> None:
    slower = autoencoders.size_cost_verdict(7.8, 1.5, 16, 128)
    assert "7.8 times the parameters" in slower and "took 1.5 times as long to train" in slower
    same = autoencoders.size_cost_verdict(7.8, 1.0, 16, 128)
    assert "about the same" in same and "1.0 times as long" in same


def test_pca_smallest_verdict_without_a_recorded_full_build_states_only_this_build() -> None:
    verdict = autoencoders.pca_smallest_verdict(0.033, 0.025, 16, profile="quick", epochs=8, full_ae_wins=None)
    assert "full profile" not in verdict
    assert verdict.endswith("Here the non-linearity does not pay for itself in MSE.")
