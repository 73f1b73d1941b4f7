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


def test_the_cell_diagram_names_the_gates_and_the_states_and_keeps_its_text_in_its_boxes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.patches import FancyBboxPatch

    from dlbook import plotting

    fig = lstm.plot_cell()
    ax = fig.axes[0]
    assert ax.get_title() == "Inside an LSTM cell: three gates and two states"
    texts = {text.get_text() for text in ax.texts}
    assert {"forget", "input", "candidate", "output"} <= texts
    assert {"$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$"} <= texts
    assert sum(text == "$\\sigma$" for text in (t.get_text() for t in ax.texts)) == 3  # three sigmoid gates
    assert sum(text == "$\\tanh$" for text in (t.get_text() for t in ax.texts)) == 2  # candidate and tanh(c_t)
    assert fig.get_figwidth() <= plotting.MAX_WIDTH
    assert plotting.smallest_font_pt(fig) >= plotting.MIN_FONT_PT
    assert plotting.phone_text_px(fig) >= plotting.MIN_PHONE_TEXT_PX
    # Each gate's name fits inside its box (a long name such as "candidate" must not overflow).
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [patch.get_window_extent(renderer) for patch in ax.patches
             if isinstance(patch, FancyBboxPatch) and patch.get_width() < 2 and patch.get_facecolor()[3] == 0]
    assert len(boxes) == 4
    for text in ax.texts:
        if text.get_text() in lstm.CELL_LABELS:
            extent = text.get_window_extent(renderer)
            assert any(box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1
                       for box in boxes), text.get_text()
    # Transparent, so the page's light or dark background shows through.
    assert fig.get_facecolor()[3] == 0
