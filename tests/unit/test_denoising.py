"""Tests for dlbook.denoising: the noise, the noisy batches and the comparison metrics."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dlbook import autoencoders, denoising, training  # noqa: E402
from dlbook.recipes import autoencoder as recipe


def clipped_normal_mean(value: float, std: float) -> float:
    """E[clip(value + N(0, std), 0, 1)], in closed form."""
    def phi(x: float) -> float:
        return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf(x / math.sqrt(2)))

    def positive_part(shift: float) -> float:  # E[max(shift + Z * std, 0)]
        return shift * cdf(shift / std) + std * phi(shift / std)

    # clip(y, 0, 1) = max(y, 0) - max(y - 1, 0)
    return positive_part(value) - positive_part(value - 1)


@pytest.fixture
def images() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.random((20, 784), dtype=np.float32)


class Identity:
    """A stand-in for a Keras model whose output is its input."""

    def predict(self, images, batch_size=None, verbose=0):
        return np.array(images)


class Constant:
    """A stand-in for a Keras model that always outputs the same grey."""

    def __init__(self, value: float) -> None:
        self.value = value

    def predict(self, images, batch_size=None, verbose=0):
        return np.full_like(images, self.value)


# ------------------------------------------------------------------- noise

def test_noise_is_seeded(images):
    first = denoising.add_gaussian_noise(images, 0.5, seed=1)
    again = denoising.add_gaussian_noise(images, 0.5, seed=1)
    other = denoising.add_gaussian_noise(images, 0.5, seed=2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_noise_accepts_a_sequence_seed_and_a_generator(images):
    by_seed = denoising.add_gaussian_noise(images, 0.3, seed=[7, 0, 1])
    by_rng = denoising.add_gaussian_noise(images, 0.3, rng=np.random.default_rng([7, 0, 1]))
    np.testing.assert_array_equal(by_seed, by_rng)
    rng = np.random.default_rng(3)
    # A shared generator advances, so two draws in a row differ.
    assert not np.array_equal(denoising.add_gaussian_noise(images, 0.3, rng=rng),
                              denoising.add_gaussian_noise(images, 0.3, rng=rng))


def test_noise_uses_the_documented_normal_draw(images):
    noisy = denoising.add_gaussian_noise(images, 0.2, seed=5)
    expected = np.clip(images + np.random.default_rng(5).normal(loc=0, scale=0.2, size=images.shape), 0, 1)
    np.testing.assert_allclose(noisy, expected.astype(np.float32), rtol=0, atol=1e-7)


def test_noise_is_clipped_to_unit_interval(images):
    noisy = denoising.add_gaussian_noise(images, 2.0, seed=0)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    # With such strong noise, many pixels hit both bounds.
    assert (noisy == 0.0).mean() > 0.1 and (noisy == 1.0).mean() > 0.1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5, 784), (5, 28, 28), (2, 28, 28, 1)])
def test_noise_keeps_shape_and_dtype(dtype, shape):
    clean = np.full(shape, 0.5, dtype=dtype)
    noisy = denoising.add_gaussian_noise(clean, 0.5, seed=0)
    assert noisy.shape == shape
    assert noisy.dtype == dtype


def test_noise_does_not_modify_its_input(images):
    before = images.copy()
    denoising.add_gaussian_noise(images, 0.5, seed=0)
    np.testing.assert_array_equal(images, before)


def test_zero_noise_returns_an_equal_copy(images):
    noisy = denoising.add_gaussian_noise(images, 0.0, seed=0)
    np.testing.assert_array_equal(noisy, images)
    assert noisy is not images


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("std", [0.25, 0.5, 0.9])
def test_noise_mean_shift_matches_the_clipped_normal(value, std):
    clean = np.full((200, 784), value, dtype=np.float32)
    noisy = denoising.add_gaussian_noise(clean, std, seed=0)
    # Clipping makes the noise pull black pixels up and white pixels down,
    # while mid-grey stays put (the clipping is symmetric around 0.5).
    assert noisy.mean() == pytest.approx(clipped_normal_mean(value, std), abs=2e-3)


def test_black_background_brightens_by_about_a_fifth_at_std_half():
    noisy = denoising.add_gaussian_noise(np.zeros((200, 784), np.float32), 0.5, seed=0)
    # E[clip(N(0, 0.5), 0, 1)] = 0.5 / sqrt(2 pi) minus a small clipped tail: about 0.195.
    assert noisy.mean() == pytest.approx(0.195, abs=3e-3)


def test_small_noise_on_grey_has_the_asked_std():
    clean = np.full((100, 784), 0.5, dtype=np.float64)
    difference = denoising.add_gaussian_noise(clean, 0.05, seed=0) - clean
    assert difference.mean() == pytest.approx(0.0, abs=1e-3)
    assert difference.std() == pytest.approx(0.05, rel=0.02)


@pytest.mark.parametrize("std", [-0.1, float("nan"), float("inf")])
def test_noise_rejects_bad_std(images, std):
    with pytest.raises(ValueError, match="std"):
        denoising.add_gaussian_noise(images, std, seed=0)


def test_noise_rejects_integer_images():
    with pytest.raises(ValueError, match="float"):
        denoising.add_gaussian_noise(np.zeros((2, 784), np.uint8), 0.5, seed=0)


# ----------------------------------------------------------- noisy batches

def test_noisy_images_batches(images):
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    assert len(batches) == 3
    noisy, clean = batches[2]
    assert noisy.shape == clean.shape == (4, 784)
    assert noisy.dtype == clean.dtype == np.float32
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert not np.array_equal(noisy, clean)


def test_noisy_images_cover_every_image_once_per_epoch(images):
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    targets = np.concatenate([batches[index][1] for index in range(len(batches))])
    order = np.lexsort(targets.T)
    np.testing.assert_array_equal(targets[order], images[np.lexsort(images.T)])


def test_noisy_images_are_reproducible_and_fresh_each_epoch(images):
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    twin = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    first = batches[0]
    # The same batch of the same epoch is the same, whoever asks and how often.
    np.testing.assert_array_equal(first[0], batches[0][0])
    np.testing.assert_array_equal(first[0], twin[0][0])
    batches.on_epoch_end()
    second = batches[0]
    assert batches.epoch == 1
    assert not np.array_equal(first[0], second[0])
    # New epoch, new shuffle: the first batch holds other digits.
    assert not np.array_equal(first[1], second[1])


def test_noisy_images_describe_changes_with_the_settings(images):
    base = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1).describe()
    assert base == denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1).describe()
    assert base != denoising.NoisyImages(images, std=0.4, batch_size=8, seed=1).describe()
    assert base != denoising.NoisyImages(images, std=0.5, batch_size=8, seed=2).describe()
    assert base != denoising.NoisyImages(images[:10], std=0.5, batch_size=8, seed=1).describe()
    training.fingerprint(base)  # usable as fit_cached's data_key


def test_noisy_images_describe_their_starting_epoch(images):
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    before = batches.describe()
    assert before["epoch"] == 0
    batches.on_epoch_end()
    assert batches.describe()["epoch"] == 1 and batches.describe() != before


class _SaltAndPepper(denoising.NoisyImages):
    def corrupt(self, clean, seed):
        flips = np.random.default_rng(seed).random(clean.shape) < 0.1
        return np.where(flips, 1.0 - clean, clean).astype(clean.dtype)


def test_noisy_images_describe_the_corruption_code(images):
    base = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1).describe()
    other = _SaltAndPepper(images, std=0.5, batch_size=8, seed=1).describe()
    assert other["corrupt"].endswith("_SaltAndPepper.corrupt") and base["corrupt"].endswith("NoisyImages.corrupt")
    assert other["code"] != base["code"] and other["class"] != base["class"]
    # Same class name, same settings, another corrupt(): still another key.
    namespace: dict = {"denoising": denoising, "np": np}
    exec("class Noise(denoising.NoisyImages):\n    def corrupt(self, clean, seed):\n        return clean * 0.5\n",
         namespace)
    first = namespace["Noise"](images, batch_size=8, seed=1).describe()
    exec("class Noise(denoising.NoisyImages):\n    def corrupt(self, clean, seed):\n        return clean * 0.25\n",
         namespace)
    second = namespace["Noise"](images, batch_size=8, seed=1).describe()
    assert first["class"] == second["class"] and first["code"] != second["code"]
    assert training.fingerprint(first) != training.fingerprint(second)


def test_noisy_images_describe_settings_a_subclass_adds(images):
    class Amount(_SaltAndPepper):
        def __init__(self, *args, amount: float = 0.1, **kwargs):
            super().__init__(*args, **kwargs)
            self.amount = amount

    assert Amount(images, amount=0.1).describe() != Amount(images, amount=0.2).describe()


def test_noisy_images_rejects_bad_arguments(images):
    with pytest.raises(ValueError, match="batch_size"):
        denoising.NoisyImages(images, batch_size=0)
    with pytest.raises(ValueError, match="std"):
        denoising.NoisyImages(images, std=-1.0)
    with pytest.raises(ValueError, match="empty"):
        denoising.NoisyImages(images[:0])
    with pytest.raises(IndexError):
        denoising.NoisyImages(images, batch_size=8)[3]


def compiled_autoencoder(latent_dim: int = 4):
    """A tiny, seeded, compiled dense autoencoder."""
    keras.utils.set_random_seed(0)
    model, _, _ = recipe.build_autoencoder(latent_dim)  # compiled as in chapter 1
    return model


def test_noisy_images_train_a_model_through_fit_cached(images):
    model = compiled_autoencoder()
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    key = training.fingerprint(batches.describe())
    run = training.fit_cached(model, batches, validation_data=(images, images), data_key=key,
                              epochs=2, name="tiny-denoiser")
    assert run.epochs == 2 and not run.cached
    assert batches.epoch >= 2  # Keras moved it on after each epoch
    fresh = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    again = training.fit_cached(compiled_autoencoder(), fresh,
                                validation_data=(images, images), data_key=key, epochs=2, name="tiny-denoiser")
    assert again.cached and again.key == run.key
    # Loaded or trained, the batches end in the same epoch: what trains next
    # from them sees the same noise either way.
    assert fresh.epoch == batches.epoch


def test_fit_cached_keys_noisy_images_by_their_description(images):
    batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    run = training.fit_cached(compiled_autoencoder(), batches, validation_data=(images, images),
                              epochs=1, name="described")
    again = training.fit_cached(compiled_autoencoder(), denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1),
                                validation_data=(images, images), epochs=1, name="described")
    other = training.fit_cached(compiled_autoencoder(), denoising.NoisyImages(images, std=0.4, batch_size=8, seed=1),
                                validation_data=(images, images), epochs=1, name="described")
    assert not run.cached and again.cached and again.key == run.key
    assert not other.cached and other.key != run.key


def test_fit_denoiser_leaves_the_batches_in_the_same_epoch_whether_cached_or_not(images):
    trained_batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    trained = denoising.fit_denoiser(compiled_autoencoder(), trained_batches, (images, images), name="d", epochs=2)
    loaded_batches = denoising.NoisyImages(images, std=0.5, batch_size=8, seed=1)
    loaded = denoising.fit_denoiser(compiled_autoencoder(), loaded_batches, (images, images), name="d", epochs=2)
    assert not trained.cached and loaded.cached
    assert loaded_batches.epoch == trained_batches.epoch > 0
    # Training on from there (chapter 2 trains a second model on the same
    # batches) gets one key, and so comes from the cache the second time.
    first = denoising.fit_denoiser(compiled_autoencoder(8), trained_batches, (images, images), name="next", epochs=1)
    second = denoising.fit_denoiser(compiled_autoencoder(8), loaded_batches, (images, images), name="next", epochs=1)
    assert not first.cached and second.cached and second.key == first.key


# ----------------------------------------------------------------- metrics

def test_ssim_of_identical_images_is_one(images):
    assert denoising.ssim(images, images) == pytest.approx(1.0)


def test_ssim_matches_tensorflow():
    import tensorflow as tf

    rng = np.random.default_rng(1)
    clean = rng.random((6, 28, 28), dtype=np.float32)
    noisy = denoising.add_gaussian_noise(clean, 0.3, seed=2)
    expected = tf.image.ssim(clean[..., None], noisy[..., None], max_val=1.0,
                             filter_size=denoising.SSIM_FILTER_SIZE).numpy()
    values = denoising.ssim(clean.reshape(6, 784), noisy.reshape(6, 784), per_image=True)
    assert values.shape == (6,)
    np.testing.assert_allclose(values, expected, atol=1e-5)


def test_ssim_is_the_same_in_chunks():
    rng = np.random.default_rng(2)
    clean = rng.random((2500, 784), dtype=np.float32)
    noisy = denoising.add_gaussian_noise(clean, 0.3, seed=3)
    values = denoising.ssim(clean, noisy, per_image=True)
    assert values.shape == (2500,)
    # Images past the first chunk of 1,000 get the same value as when scored alone.
    np.testing.assert_allclose(values[[0, 999, 1000, 2499]],
                               denoising.ssim(clean[[0, 999, 1000, 2499]], noisy[[0, 999, 1000, 2499]], per_image=True))


def test_ssim_falls_with_noise_and_is_symmetric(images):
    light = denoising.add_gaussian_noise(images, 0.1, seed=0)
    heavy = denoising.add_gaussian_noise(images, 0.6, seed=0)
    assert denoising.ssim(images, heavy) < denoising.ssim(images, light) < 1.0
    assert denoising.ssim(images, heavy) == pytest.approx(denoising.ssim(heavy, images))


def test_ssim_rejects_bad_shapes(images):
    with pytest.raises(ValueError, match="Shapes"):
        denoising.ssim(images, images[:3])
    with pytest.raises(ValueError, match="filter_size"):
        denoising.ssim(images, images, filter_size=31)


def test_score_table(images):
    noisy = denoising.add_gaussian_noise(images, 0.5, seed=0)
    table = denoising.score_table(images, {("noisy", "input"): noisy, ("clean", "input"): images})
    assert list(table.columns) == ["MSE", "PSNR (dB)", "SSIM"]
    assert list(table.index.names) == ["test input", "output"]
    assert table.loc[("noisy", "input"), "MSE"] == pytest.approx(autoencoders.mse(images, noisy))
    assert table.loc[("noisy", "input"), "PSNR (dB)"] == pytest.approx(autoencoders.psnr(images, noisy))
    assert table.loc[("clean", "input"), "MSE"] == 0.0
    assert table.loc[("clean", "input"), "PSNR (dB)"] == autoencoders.PSNR_CAP
    assert table.loc[("clean", "input"), "SSIM"] == pytest.approx(1.0)


def test_score_table_with_plain_names_and_without_ssim(images):
    table = denoising.score_table(images, {"same": images}, with_ssim=False)
    assert list(table.index) == ["same"] and list(table.columns) == ["MSE", "PSNR (dB)"]
    with pytest.raises(ValueError, match="empty"):
        denoising.score_table(images, {})


# ------------------------------------------------------------- noise sweep

def test_noise_sweep(images):
    levels = (0.0, 0.3, 0.6)
    sweep = denoising.noise_sweep({"identity": Identity(), "grey": Constant(0.5)}, images, levels, seed=3)
    assert len(sweep) == 3 * len(levels)
    assert list(sweep.columns) == ["std", "output", "MSE", "PSNR (dB)"]
    table = sweep.pivot(index="std", columns="output", values="MSE")
    # Doing nothing is perfect on clean input, then worse and worse.
    assert table.loc[0.0, "noisy input"] == 0.0
    assert table["noisy input"].is_monotonic_increasing
    # Every output saw the same noisy images at a level.
    np.testing.assert_allclose(table["identity"], table["noisy input"])
    # A constant output ignores the noise.
    assert table["grey"].nunique() == 1


def test_summarize_sweep():
    stds = [0.0, 0.25, 0.5, 0.75]
    sweep = pd.DataFrame({
        "std": stds * 2,
        "output": ["denoiser"] * 4 + ["basic"] * 4,
        "MSE": [0.07, 0.04, 0.03, 0.05] + [0.02, 0.05, 0.06, 0.08],
    })
    summary = denoising.summarize_sweep(sweep, model="denoiser", baseline="basic", trained_std=0.5)
    assert summary["ratio_at_trained"] == pytest.approx(2.0)
    assert summary["ratio_at_max"] == pytest.approx(0.08 / 0.05)
    assert summary["wins_from"] == 0.25
    assert summary["growth_beyond"] == pytest.approx(0.05 / 0.03)
    assert summary["max_std"] == 0.75
    assert summary["model_at_trained"] == 0.03
    assert summary["model_at_zero"] == 0.07 and summary["baseline_at_zero"] == 0.02


def test_summarize_sweep_when_the_model_never_wins_for_good():
    sweep = pd.DataFrame({"std": [0.0, 0.5, 0.0, 0.5], "output": ["a", "a", "b", "b"],
                          "MSE": [0.1, 0.3, 0.2, 0.2]})
    assert denoising.summarize_sweep(sweep, model="a", baseline="b", trained_std=0.5)["wins_from"] is None
    with pytest.raises(ValueError, match="levels"):
        denoising.summarize_sweep(sweep, model="a", baseline="b", trained_std=0.4)
    with pytest.raises(ValueError, match="not in the sweep"):
        denoising.summarize_sweep(sweep, model="c", baseline="b", trained_std=0.5)


def test_plot_noise_sweep(images):
    sweep = denoising.noise_sweep({"identity": Identity()}, images, (0.0, 0.5), seed=0)
    fig = denoising.plot_noise_sweep(sweep, title="Sweep")
    ax = fig.axes[0]
    assert ax.get_title() == "Sweep"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["noisy input", "identity"]
    plt.close(fig)


def test_fit_denoiser_trains_on_noisy_batches_and_caches(images):
    splits = autoencoders.MnistSplits(x_train=images, y_train=np.zeros(20), x_val=images[:8], y_val=np.zeros(8),
                                      x_test=images[:8], y_test=np.zeros(8))
    validation_noisy = denoising.add_gaussian_noise(splits.x_val, 0.5, seed=1)

    def batches(std=0.5):
        return denoising.NoisyImages(splits.x_train, std=std, batch_size=8, seed=0)

    validation = (validation_noisy, splits.x_val)
    run = denoising.fit_denoiser(compiled_autoencoder(), batches(), validation, epochs=2, name="tiny-denoiser")
    assert not run.cached and run.epochs == 2 and "val_loss" in run.history
    again = denoising.fit_denoiser(compiled_autoencoder(), batches(), validation, epochs=2, name="tiny-denoiser",
                                   missing="raise")
    assert again.cached and again.key == run.key
    other_noise = denoising.fit_denoiser(compiled_autoencoder(), batches(0.3), validation, epochs=2,
                                         name="tiny-denoiser")
    assert not other_noise.cached and other_noise.key != run.key


# ------------------------------------------------------------------ verdicts
# Every branch, with synthetic numbers, so the full profile's wording is tested too.


# ------------------------------------------------------- anomaly detection

def test_mirror_digits_flips_left_to_right_and_leaves_the_input_alone() -> None:
    images = np.arange(2 * 784, dtype=np.float32).reshape(2, 784)
    before = images.copy()
    mirrored = denoising.mirror_digits(images)
    assert mirrored.shape == images.shape
    np.testing.assert_array_equal(mirrored.reshape(2, 28, 28)[:, :, 0], images.reshape(2, 28, 28)[:, :, 27])
    np.testing.assert_array_equal(denoising.mirror_digits(mirrored), images)
    np.testing.assert_array_equal(images, before)


def test_reconstruction_error_auc_separates_what_the_model_cannot_copy() -> None:
    rng = np.random.default_rng(0)
    normal = rng.random((50, 784)).astype(np.float32)
    unusual = rng.random((40, 784)).astype(np.float32)
    normal_set = {normal[i].tobytes() for i in range(len(normal))}

    def copies_normal_only(images: np.ndarray) -> np.ndarray:
        # A perfect copy of the normal images, a blank for anything else.
        return np.stack([image if image.tobytes() in normal_set else np.zeros_like(image) for image in images])

    perfect = denoising.reconstruction_error_auc(copies_normal_only, normal, unusual)
    assert perfect["auc"] == 1.0 and perfect["normal_error"] == 0.0 and perfect["unusual_error"] > 0
    # The reverse detector scores the unusual images lower: AUC 0.
    reverse = denoising.reconstruction_error_auc(copies_normal_only, unusual, normal)
    assert reverse["auc"] == 0.0
    # A model that treats both alike is at chance.
    blank = denoising.reconstruction_error_auc(lambda x: np.full_like(x, 0.5), normal, normal.copy())
    assert blank["auc"] == pytest.approx(0.5)


def test_reconstruction_error_auc_uses_a_keras_model() -> None:
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Identity()])
    rng = np.random.default_rng(1)
    result = denoising.reconstruction_error_auc(model, rng.random((20, 784)), rng.random((20, 784)))
    # An identity model copies everything: no error on either group, so it goes through predict().
    assert result["normal_error"] == pytest.approx(0.0, abs=1e-7)
    assert result["unusual_error"] == pytest.approx(0.0, abs=1e-7)
    assert 0.0 <= result["auc"] <= 1.0
