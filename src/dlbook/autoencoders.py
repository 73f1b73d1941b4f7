"""Dense autoencoders on MNIST (chapters 1 and 2): data, model, training recipe, metrics.

Chapter 1 trains :func:`build_autoencoder` on clean digits; chapter 2 trains
the same architecture on noisy digits (:mod:`dlbook.denoising`). Both use the
same split and training recipe from this module, so the basic autoencoder that
chapter 2 compares against is the very model chapter 1 trained (the training
cache hands it over without retraining).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook import config, data

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "IMAGE_SHAPE",
    "INPUT_DIM",
    "MnistSplits",
    "binary_crossentropy",
    "build_autoencoder",
    "fit_basic_autoencoder",
    "load_mnist_splits",
    "mse",
    "psnr",
]

#: MNIST digits are 28x28 grey images, flattened to 784 inputs for a dense model.
IMAGE_SHAPE = (28, 28)
INPUT_DIM = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]

#: Epochs per profile: the full profile trains to convergence (the Keras blog's 50).
EPOCHS = config.pick(quick=8, full=50)
#: Large batches keep the 2-core CPU busy; 256 is the Keras blog's choice.
BATCH_SIZE = 256
#: The last 10,000 training digits are held out for validation.
VALIDATION_SIZE = 10_000
#: The quick profile trains on a subset of the remaining 50,000 digits.
TRAIN_SIZE = config.pick(quick=20_000, full=50_000)


@dataclass(frozen=True)
class MnistSplits:
    """MNIST flattened to ``float32`` vectors in [0, 1], split three ways.

    The validation digits come from the end of the official training set; the
    test set is only used for the final numbers.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_mnist_splits(train_size: int | None = None) -> MnistSplits:
    """Load MNIST through :func:`dlbook.data.load_mnist`, scale to [0, 1] and flatten.

    Args:
        train_size: How many training digits to keep (default: the profile's
            :data:`TRAIN_SIZE`); always the first ones, so runs are comparable.
    """
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    train_size = TRAIN_SIZE if train_size is None else train_size

    def flat(images: np.ndarray) -> np.ndarray:
        return (images.astype("float32") / 255.0).reshape(len(images), INPUT_DIM)

    split = len(x_train) - VALIDATION_SIZE
    return MnistSplits(
        x_train=flat(x_train[:split][:train_size]), y_train=y_train[:split][:train_size],
        x_val=flat(x_train[split:]), y_val=y_train[split:],
        x_test=flat(x_test), y_test=y_test,
    )


def build_autoencoder(latent_dim: int = 32, input_dim: int = INPUT_DIM):
    """Build the basic dense autoencoder ``input -> Dense(latent, relu) -> Dense(input, sigmoid)``.

    Returns:
        ``(autoencoder, encoder, decoder)``: three ``keras.Model``\\ s that
        share the same two layers, so training the autoencoder trains both halves.
    """
    import keras
    from keras import layers

    if latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim}.")
    inputs = keras.Input(shape=(input_dim,), name="image")
    encode = layers.Dense(latent_dim, activation="relu", name="encoder_dense")
    decode = layers.Dense(input_dim, activation="sigmoid", name="decoder_dense")
    codes = encode(inputs)
    autoencoder = keras.Model(inputs, decode(codes), name=f"autoencoder_{latent_dim}")
    encoder = keras.Model(inputs, codes, name=f"encoder_{latent_dim}")
    latent_inputs = keras.Input(shape=(latent_dim,), name="code")
    decoder = keras.Model(latent_inputs, decode(latent_inputs), name=f"decoder_{latent_dim}")
    return autoencoder, encoder, decoder


def fit_basic_autoencoder(latent_dim: int, splits: MnistSplits, *, seed: int = config.SEED):
    """Build, compile and train (or load from the cache) the basic autoencoder.

    This is chapter 1's recipe: Adam, per-pixel binary cross-entropy, clean
    digits in and out, :data:`EPOCHS` epochs of :data:`BATCH_SIZE`, validated
    on the held-out digits. Chapter 2 calls it to get the very same model.

    Returns:
        ``(autoencoder, encoder, decoder, run)`` where ``run`` is the
        :class:`dlbook.training.TrainingRun`.
    """
    import keras

    from dlbook import training

    keras.utils.set_random_seed(seed)
    autoencoder, encoder, decoder = build_autoencoder(latent_dim)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    run = training.fit_cached(
        autoencoder, splits.x_train, splits.x_train,
        validation_data=(splits.x_val, splits.x_val),
        epochs=EPOCHS, batch_size=BATCH_SIZE, seed=seed,
        name=f"autoencoder-{latent_dim}",
    )
    return autoencoder, encoder, decoder, run


# ------------------------------------------------------------------ metrics
# Per-image metrics against clean targets, on arrays with values in [0, 1].

def _per_image(values: np.ndarray) -> np.ndarray:
    return values.reshape(len(values), -1)


def mse(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False) -> float | np.ndarray:
    """Mean squared error; per image if ``per_image``, else the mean over all pixels."""
    target, prediction = np.asarray(target, np.float64), np.asarray(prediction, np.float64)
    if target.shape != prediction.shape:
        raise ValueError(f"Shapes differ: {target.shape} and {prediction.shape}.")
    errors = _per_image((target - prediction) ** 2).mean(axis=1)
    return errors if per_image else float(errors.mean())


def binary_crossentropy(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False,
                        epsilon: float = 1e-7) -> float | np.ndarray:
    """Pixel-wise binary cross-entropy (in nats), averaged like Keras' loss."""
    target = np.asarray(target, np.float64)
    prediction = np.clip(np.asarray(prediction, np.float64), epsilon, 1 - epsilon)
    if target.shape != prediction.shape:
        raise ValueError(f"Shapes differ: {target.shape} and {prediction.shape}.")
    losses = -(target * np.log(prediction) + (1 - target) * np.log(1 - prediction))
    per = _per_image(losses).mean(axis=1)
    return per if per_image else float(per.mean())


#: PSNR of a perfect reconstruction is infinite; it is reported as this cap.
PSNR_CAP = 100.0


def psnr(target: np.ndarray, prediction: np.ndarray, *, per_image: bool = False,
         max_value: float = 1.0) -> float | np.ndarray:
    """Peak signal-to-noise ratio in dB, ``10 log10(max^2 / MSE)``, averaged over images.

    Identical images give :data:`PSNR_CAP` rather than infinity.
    """
    errors = np.asarray(mse(target, prediction, per_image=True))
    with np.errstate(divide="ignore"):
        values = np.where(errors > 0, 10 * np.log10(max_value**2 / np.maximum(errors, 1e-300)), PSNR_CAP)
    values = np.minimum(values, PSNR_CAP)
    return values if per_image else float(values.mean())
