"""dlbook.lstm: the one NumPy LSTM step agrees with Keras' LSTM layer, and the sigmoid cannot overflow."""

from __future__ import annotations

import numpy as np

from dlbook import lstm


def test_sigmoid_is_the_logistic_function_without_overflow() -> None:
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(lstm.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12, atol=1e-15)
    with np.errstate(over="raise"):
        assert lstm.sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


def test_step_matches_a_keras_lstm_over_a_sequence() -> None:
    import keras

    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(5, return_sequences=True)
    x = np.random.default_rng(1).normal(size=(3, 7, 4)).astype(np.float32)
    expected = np.asarray(layer(x))
    kernel, recurrent_kernel, bias = (np.asarray(weight) for weight in layer.get_weights())
    h = c = np.zeros((3, 5), np.float32)
    for t in range(7):
        h, c = lstm.step(x[:, t] @ kernel + bias, h, c, recurrent_kernel)
        np.testing.assert_allclose(h, expected[:, t], atol=1e-5)


def test_there_is_one_sigmoid_and_one_lstm_step_in_the_package_and_extensions() -> None:
    """The issue's rule: no second copy of the cell's equations in src/ or _ext/."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "src").rglob("*.py")), *sorted((root / "_ext").glob("*.py"))]
    sigmoids = [path for path in files if re.search(r"^\s*def _?sigmoid\(", path.read_text(), re.M)]
    cells = [path for path in files if re.search(r"sigmoid\(f\) \* c", path.read_text())]
    assert [path.name for path in sigmoids] == ["lstm.py"]
    assert [path.name for path in cells] == ["lstm.py"]
