"""Chapter 1's code: model shapes and weight sharing, metrics on known inputs, PCA, figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dlbook import autoencoders  # noqa: E402
from dlbook.recipes import autoencoder as recipe

# ------------------------------------------------------------------ model


@pytest.mark.parametrize("latent_dim", [2, 32])
def test_build_autoencoder_shapes(latent_dim: int) -> None:
    autoencoder, encoder, decoder = recipe.build_autoencoder(latent_dim)
    assert autoencoder.input_shape == (None, 784) and autoencoder.output_shape == (None, 784)
    assert encoder.output_shape == (None, latent_dim)
    assert decoder.input_shape == (None, latent_dim) and decoder.output_shape == (None, 784)
    # 784 * k + k weights in, k * 784 + 784 out.
    assert autoencoder.count_params() == 784 * latent_dim + latent_dim + latent_dim * 784 + 784
    assert encoder.count_params() + decoder.count_params() == autoencoder.count_params()


def test_outputs_are_pixels_and_codes_are_non_negative() -> None:
    autoencoder, encoder, _ = recipe.build_autoencoder(8)
    x = np.random.default_rng(0).random((5, 784)).astype("float32")
    outputs = autoencoder.predict(x, verbose=0)
    assert outputs.min() > 0 and outputs.max() < 1  # sigmoid
    assert encoder.predict(x, verbose=0).min() >= 0  # relu


def test_encoder_and_decoder_share_weights_with_the_autoencoder() -> None:
    autoencoder, encoder, decoder = recipe.build_autoencoder(4)
    assert encoder.layers[-1] is autoencoder.layers[1]
    assert decoder.layers[-1] is autoencoder.layers[2]
    x = np.random.default_rng(1).random((3, 784)).astype("float32")
    np.testing.assert_allclose(decoder.predict(encoder.predict(x, verbose=0), verbose=0),
                               autoencoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    # Changing the autoencoder's weights changes the halves too (no copies).
    kernel = autoencoder.layers[1].kernel
    kernel.assign(np.zeros(kernel.shape, "float32"))
    np.testing.assert_array_equal(encoder.predict(x, verbose=0), 0.0)


def test_one_training_step_lowers_the_loss_on_tiny_data() -> None:
    import keras

    keras.utils.set_random_seed(0)
    autoencoder, _, _ = recipe.build_autoencoder(4)
    autoencoder.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    x = (np.random.default_rng(0).random((32, 784)) > 0.5).astype("float32")
    before = autoencoder.evaluate(x, x, verbose=0)
    autoencoder.fit(x, x, epochs=5, batch_size=32, verbose=0)
    assert autoencoder.evaluate(x, x, verbose=0) < before


def test_profile_sizes_match_the_active_constants() -> None:
    # The constants are picked at import time, from one and the same profile.
    chosen = {"epochs": autoencoders.EPOCHS, "train_size": autoencoders.TRAIN_SIZE,
              "learning_rate": autoencoders.LEARNING_RATE}
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


def test_format_latent_table_puts_the_latent_size_first_and_hides_the_index(latent_table: pd.DataFrame) -> None:
    styled = autoencoders.format_latent_table(latent_table)
    assert list(styled.data.columns)[0] == "latent size"
    html = styled.to_html()
    headers = html[html.index("<thead>"):html.index("</thead>")]
    assert "latent size" in headers and headers.index("latent size") < headers.index("test BCE")
    assert 'class="row_heading' not in html  # no index column


# ------------------------------------------------------------------ does a reconstruction keep its class?

def test_class_accuracy_counts_how_often_the_highest_score_is_the_label() -> None:
    labels = np.array([0, 1, 2, 1])

    def predict(images: np.ndarray) -> np.ndarray:
        # A fake classifier: the class is the first pixel, one-hot.
        return np.eye(3)[images[:, 0].astype(int)]

    images = {"original": np.array([[0], [1], [2], [1]]), 8: np.array([[0], [0], [2], [0]])}
    accuracy = autoencoders.class_accuracy(predict, labels, images)
    assert accuracy == {"original": 1.0, 8: 0.5}


def test_class_accuracy_refuses_images_that_do_not_match_the_labels() -> None:
    with pytest.raises(ValueError, match="3 images for 2 labels"):
        autoencoders.class_accuracy(lambda x: np.ones((len(x), 2)), np.array([0, 1]), {"x": np.zeros((3, 1))})


@pytest.mark.parametrize(("accuracy", "expected"), [
    ({8: 0.80, 16: 0.93, 32: 0.968, 64: 0.975, 128: 0.976}, 32),
    ({8: 0.97, 16: 0.975}, 8),
    ({8: 0.5, 16: 0.9}, None),
    # A lucky middle size does not count: every larger code must keep the class too.
    ({8: 0.5, 16: 0.97, 32: 0.90, 64: 0.975}, 64),
])
def test_smallest_size_keeping_class(accuracy: dict, expected: int | None) -> None:
    assert autoencoders.smallest_size_keeping_class(accuracy, 0.975, tolerance=0.01) == expected


def test_smallest_size_keeping_class_refuses_a_negative_tolerance() -> None:
    with pytest.raises(ValueError):
        autoencoders.smallest_size_keeping_class({8: 0.9}, 0.9, tolerance=-0.1)


def test_plot_architecture_labels_the_code_and_both_halves() -> None:
    from dlbook import plotting

    fig = autoencoders.plot_architecture(latent_dim=16)
    texts = " ".join(text.get_text() for text in fig.axes[0].texts)
    assert "16 numbers" in texts and "784 pixels" in texts
    assert "encoder" in texts and "decoder" in texts and "bottleneck" in texts
    assert fig.axes[0].get_title()
    assert fig.get_figwidth() <= plotting.MAX_WIDTH
    assert plotting.smallest_font_pt(fig) >= plotting.MIN_FONT_PT
