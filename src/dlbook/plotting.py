"""Figures shared by the chapters: a common style, training curves and image grids.

Every function returns a :class:`matplotlib.figure.Figure` with a title and
axis labels, so that a chapter cell is one call and the figure can be glued or
saved. Chapter-specific figures live in the chapter's own module.

The style is made for the book's web pages, read on a desktop or a phone, in
the theme's light or dark mode:

* figures are at most :data:`MAX_WIDTH` inches wide and no text is smaller
  than :data:`MIN_FONT_PT`, so that on a phone 390 CSS px wide, where a figure
  is scaled down to the width of the text, every label stays at least
  :data:`MIN_PHONE_TEXT_PX` CSS px high (see :func:`phone_text_px`);
* backgrounds are transparent and text, axes and grid lines are a mid grey
  (:data:`INK`) that reads on the theme's white and its near-black background;
* in a notebook, :func:`use_book_style` makes figures PNGs at 2x
  (:data:`SAVE_DPI`), shown at :data:`DISPLAY_DPI` CSS px per inch, and writes
  into each PNG the smallest font size it drew, so that the browser checks of
  the built book can measure the text a reader sees (see :func:`figure_png`).
"""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "DISPLAY_DPI",
    "INK",
    "MAX_WIDTH",
    "MIN_FONT_PT",
    "MIN_PHONE_TEXT_PX",
    "PHONE_FIGURE_PX",
    "PNG_DPI_KEY",
    "PNG_FONT_KEY",
    "SAVE_DPI",
    "figure_png",
    "image_grid",
    "phone_text_px",
    "plot_history",
    "png_text",
    "smallest_font_pt",
    "use_book_style",
]

#: Text, axes and grid colour: a mid grey with a contrast of about 4.2:1 both on
#: the theme's white page and on its dark-mode background (#14181e), so one
#: transparent PNG reads in both modes (and in Jupyter's or Colab's dark themes).
INK = "#7b7b7b"
#: CSS px per inch of figure on a page: a figure ``w`` inches wide is shown
#: ``DISPLAY_DPI * w`` CSS px wide, or narrower where the text column is.
DISPLAY_DPI = 100
#: PNG pixels per inch: twice :data:`DISPLAY_DPI`, sharp on 2x (retina) screens.
SAVE_DPI = 2 * DISPLAY_DPI
#: The widest figure, in inches. Wider figures are scaled down more on a phone.
MAX_WIDTH = 6.0
#: The smallest font size any figure uses (tick labels, legends), in points.
MIN_FONT_PT = 10.5
#: The width, in CSS px, of the book's text column (where figures are shown)
#: on a phone 390 CSS px wide, measured in the built site (tests/browser).
PHONE_FIGURE_PX = 342
#: The smallest text a figure may show on that phone, in CSS px.
MIN_PHONE_TEXT_PX = 8.0
#: PNG text chunks written by :func:`figure_png` (read by tests/browser/test_figures.py).
PNG_FONT_KEY = "dlbook:smallest-font-pt"
PNG_DPI_KEY = "dlbook:dpi"


def use_book_style() -> None:
    """Apply the book's plot style, and in a notebook its figure output.

    Seaborn's whitegrid theme and colour-blind palette, the font sizes and
    colours described in the module docstring, and, when called in an IPython
    kernel with the inline backend, :func:`figure_png` as the PNG formatter of
    figures (so every displayed or glued figure is saved at 2x with its
    smallest font size recorded).
    """
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update({
        "figure.dpi": DISPLAY_DPI,
        "savefig.dpi": SAVE_DPI,
        "figure.figsize": (MAX_WIDTH, 3.6),
        "figure.autolayout": False,
        # Transparent, so the page's own background (white or dark) shows.
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "legend.frameon": False,
        # One mid grey for every text and line that is not data.
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "grid.color": INK,
        "grid.alpha": 0.3,
        "axes.titleweight": "bold",
        "figure.titleweight": "bold",
        # Sizes: nothing below MIN_FONT_PT.
        "font.size": 11,
        "axes.titlesize": 12,
        "figure.titlesize": 12.5,
        "axes.labelsize": 11,
        "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT,
        "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": 11,
    })
    _install_png_formatter()


def _install_png_formatter() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib

    if "inline" not in matplotlib.get_backend():
        return
    # Importing the inline backend registers its own PNG formatter (once per
    # kernel); import it first so that ours, registered next, is the one used.
    import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


@contextlib.contextmanager
def _recording_text_sizes(sizes: list[float]) -> Iterator[None]:
    """Record the point size of every non-empty text the Agg renderer draws.

    Measured where text is drawn rather than by listing the figure's Text
    artists, which also include tick labels outside the axes' limits and
    hidden or empty texts that never reach the image.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    original = RendererAgg.draw_text

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            sizes.append(float(prop.get_size_in_points()))
        return original(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    RendererAgg.draw_text = draw_text
    try:
        yield
    finally:
        RendererAgg.draw_text = original


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _add_png_text(png: bytes, text: Mapping[str, str]) -> bytes:
    """Insert tEXt chunks right after the header chunk (IHDR) of a PNG."""
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    chunks = b"".join(_png_chunk(b"tEXt", f"{key}\0{value}".encode("latin-1")) for key, value in text.items())
    return png[:header_end] + chunks + png[header_end:]


def png_text(png: bytes) -> dict[str, str]:
    """The tEXt chunks of a PNG, as a dict (the inverse of what :func:`figure_png` writes)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    text, position = {}, 8
    while position < len(png):
        length = struct.unpack(">I", png[position:position + 4])[0]
        kind = png[position + 4:position + 8]
        if kind == b"tEXt":
            key, _, value = png[position + 8:position + 8 + length].partition(b"\0")
            text[key.decode("latin-1")] = value.decode("latin-1")
        position += 12 + length
    return text


def figure_png(fig: Figure, *, dpi: float = SAVE_DPI) -> tuple[bytes, dict[str, int]]:
    """Save ``fig`` as a PNG for a page, as IPython's PNG formatter does.

    Returns the PNG bytes and IPython's metadata ``{"width": ...}``: the width
    in CSS px to show it at (:data:`DISPLAY_DPI` per inch; the PNG has
    ``dpi / DISPLAY_DPI`` times as many pixels). The PNG carries two text
    chunks: :data:`PNG_FONT_KEY`, the smallest font size drawn (points), and
    :data:`PNG_DPI_KEY`, so that a reader of the page can work out the height
    of the smallest text as shown: ``points * dpi / 72 * shown width / PNG width``.
    """
    sizes: list[float] = []
    buffer = io.BytesIO()
    with _recording_text_sizes(sizes):
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", transparent=True)
    png = buffer.getvalue()
    text = {PNG_DPI_KEY: f"{dpi:g}"}
    if sizes:
        text[PNG_FONT_KEY] = f"{min(sizes):g}"
    png = _add_png_text(png, text)
    width = struct.unpack(">I", png[16:20])[0]
    return png, {"width": round(width * DISPLAY_DPI / dpi)}


def smallest_font_pt(fig: Figure) -> float:
    """The smallest font size, in points, that saving ``fig`` draws."""
    text = png_text(figure_png(fig)[0])
    if PNG_FONT_KEY not in text:
        raise ValueError("the figure draws no text")
    return float(text[PNG_FONT_KEY])


def phone_text_px(fig: Figure, *, column_px: float = PHONE_FIGURE_PX) -> float:
    """The height in CSS px of ``fig``'s smallest text when shown ``column_px`` wide at most.

    A page shows the figure :data:`DISPLAY_DPI` CSS px per inch of its saved
    (tightly cropped) width, scaled down to the text column where that is
    narrower, as on a phone.
    """
    png, metadata = figure_png(fig)
    shown = min(metadata["width"], column_px)
    return smallest_font_pt(fig) / 72 * DISPLAY_DPI * shown / metadata["width"]


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
    fig, ax = plt.subplots(figsize=(MAX_WIDTH, 3.6))
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

    Each row's label is written above the row, so the images get the whole
    width (at most :data:`MAX_WIDTH` inches, so that they stay large on a
    phone); column labels are written under the last row.

    Args:
        rows: One array per row, of shape ``(n, *image_shape)`` or ``(n, prod(image_shape))``.
        row_labels: A label per row, written above it.
        title: Figure title.
        image_shape: Height and width used to reshape flat images.
        column_labels: Optional label under each column.
        cmap: Matplotlib colour map; pixel values are shown on a fixed [0, 1]
            (or [0, 255] for integers) scale so rows are comparable.
        size: Inches per image, at most (the grid is never wider than :data:`MAX_WIDTH`).
    """
    rows = [np.asarray(row) for row in rows]
    n_rows, n_cols = len(rows), max(len(row) for row in rows)
    # The layout in inches, top to bottom: title, then per row a label band and
    # the images, then the column labels.
    gap, margin = 0.06, 0.02
    side = min(size, (MAX_WIDTH - 2 * margin - (n_cols - 1) * gap) / n_cols)
    width = 2 * margin + n_cols * side + (n_cols - 1) * gap
    title_band, label_band, column_band, row_gap = 0.4, (0.26 if row_labels is not None else 0.0), 0.28, 0.06
    height = title_band + n_rows * (label_band + side + row_gap) + (column_band if column_labels is not None else 0.0)
    fig = plt.figure(figsize=(width, height))
    top = height - title_band
    for r, row in enumerate(rows):
        vmax = 255 if np.issubdtype(row.dtype, np.integer) else 1.0
        if row_labels is not None:
            fig.text(margin / width, (top - label_band + 0.05) / height, str(row_labels[r]).replace("\n", " "),
                     ha="left", va="bottom", fontsize=11)
        bottom = top - label_band - side
        for c in range(n_cols):
            ax = fig.add_axes(((margin + c * (side + gap)) / width, bottom / height, side / width, side / height))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(row):
                ax.imshow(row[c].reshape(image_shape), cmap=cmap, vmin=0, vmax=vmax)
            if r == n_rows - 1 and column_labels is not None:
                ax.set_xlabel(column_labels[c], fontsize=11, labelpad=3)
        top = bottom - row_gap
    fig.suptitle(title, x=margin / width, y=1 - 0.08 / height, ha="left", va="top")
    return fig
