"""Figures shared by the chapters: a common style, training curves and image grids.

Every function returns a :class:`matplotlib.figure.Figure` with a title and
axis labels, so that a chapter cell is one call and the figure can be glued or
saved. Chapter-specific figures live in the chapter's own module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["image_grid", "plot_history", "use_book_style"]


def use_book_style() -> None:
    """Apply the book's plot style (seaborn's whitegrid theme, readable sizes)."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "figure.autolayout": False,
        "axes.titleweight": "bold",
        # Dark text on white stays readable in the theme's light and dark modes
        # (figures keep their own white background).
        "figure.facecolor": "white",
        "axes.facecolor": "white",
    })


def plot_history(
    history: Mapping[str, Sequence[float]] | Any,
    metrics: Sequence[str] = ("loss",),
    *,
    title: str = "Training and validation loss",
    ylabel: str | None = None,
    scale: float = 1.0,
) -> plt.Figure:
    """Plot training and validation curves per epoch.

    Args:
        history: ``History.history``, a :class:`dlbook.training.TrainingRun`
            or any mapping of metric name to per-epoch values.
        metrics: Metric names; ``val_<name>`` is drawn beside each when present.
        title: Figure title.
        ylabel: Y-axis label (defaults to the first metric's name).
        scale: Multiply values by this (e.g. ``1/np.log(2)`` for bits).
    """
    values = getattr(history, "history", history)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for metric in metrics:
        for prefix, style, label in (("", "-", "training"), ("val_", "--", "validation")):
            series = values.get(prefix + metric)
            if series is None:
                continue
            epochs = np.arange(1, len(series) + 1)
            name = label if len(metrics) == 1 else f"{label} {metric}"
            ax.plot(epochs, np.asarray(series) * scale, style, marker="o", markersize=3, label=name)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or metrics[0])
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    fig.tight_layout()
    return fig


def image_grid(
    rows: Sequence[np.ndarray],
    *,
    row_labels: Sequence[str] | None = None,
    title: str,
    image_shape: tuple[int, int] = (28, 28),
    column_labels: Sequence[str] | None = None,
    cmap: str = "gray",
    size: float = 1.1,
) -> plt.Figure:
    """Show rows of images (e.g. originals above reconstructions) in one grid.

    Args:
        rows: One array per row, of shape ``(n, *image_shape)`` or ``(n, prod(image_shape))``.
        row_labels: A label per row, written at the left.
        title: Figure title.
        image_shape: Height and width used to reshape flat images.
        column_labels: Optional label above each column.
        cmap: Matplotlib colour map; pixel values are shown on a fixed [0, 1]
            (or [0, 255] for integers) scale so rows are comparable.
        size: Inches per image.
    """
    rows = [np.asarray(row) for row in rows]
    n_rows, n_cols = len(rows), max(len(row) for row in rows)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 1.2, size * n_rows + 0.6), squeeze=False)
    for r, row in enumerate(rows):
        vmax = 255 if np.issubdtype(row.dtype, np.integer) else 1.0
        for c in range(n_cols):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(row):
                ax.imshow(row[c].reshape(image_shape), cmap=cmap, vmin=0, vmax=vmax)
            if c == 0 and row_labels is not None:
                ax.set_ylabel(row_labels[r], rotation=0, ha="right", va="center", fontsize=10)
            if r == 0 and column_labels is not None:
                ax.set_title(column_labels[c], fontsize=10)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig
