"""Shared figures have titles and labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from dlbook import plotting  # noqa: E402


def test_plot_history_draws_training_and_validation() -> None:
    fig = plotting.plot_history({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2.0]}, title="Loss", ylabel="BCE")
    ax = fig.axes[0]
    assert ax.get_title() == "Loss" and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "BCE"
    assert [line.get_label() for line in ax.get_lines()] == ["training", "validation"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [3.5, 2.5, 2.0])


def test_image_grid_shapes_and_labels() -> None:
    rows = [np.zeros((5, 784), "float32"), np.ones((5, 28, 28), "float32")]
    fig = plotting.image_grid(rows, row_labels=["original", "reconstruction"], title="Digits")
    assert len(fig.axes) == 10
    assert fig._suptitle.get_text() == "Digits"
    assert fig.axes[0].get_ylabel() == "original" and fig.axes[5].get_ylabel() == "reconstruction"
    assert fig.axes[0].images[0].get_array().shape == (28, 28)
