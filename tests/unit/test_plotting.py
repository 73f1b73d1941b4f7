"""Shared figures have titles and labels, and every figure of the book reads on a phone and in dark mode."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dlbook import autoencoders, denoising, plotting, sentiment, textgen  # noqa: E402

#: The theme's page backgrounds (pydata-sphinx-theme 0.17.1): light and dark mode.
BACKGROUNDS = {"light": "#ffffff", "dark": "#14181e"}


@pytest.fixture(autouse=True)
def book_style():
    """Each test draws in the book's style and leaves matplotlib's defaults as it found them."""
    with plt.rc_context():
        plotting.use_book_style()
        yield
    plt.close("all")


def test_plot_history_draws_training_and_validation() -> None:
    fig = plotting.plot_history({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2.0]}, title="Loss", ylabel="BCE")
    ax = fig.axes[0]
    assert ax.get_title() == "Loss" and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "BCE"
    assert [line.get_label() for line in ax.get_lines()] == ["training", "validation"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [3.5, 2.5, 2.0])


def test_image_grid_shapes_and_labels() -> None:
    rows = [np.zeros((5, 784), "float32"), np.ones((5, 28, 28), "float32")]
    fig = plotting.image_grid(rows, row_labels=["original", "basic\nautoencoder"], title="Digits",
                              column_labels=list("abcde"))
    assert len(fig.axes) == 10
    assert fig._suptitle.get_text() == "Digits"
    # Row labels are written above their rows, on one line.
    labels = [text for text in fig.texts if text is not fig._suptitle]
    assert [text.get_text() for text in labels] == ["original", "basic autoencoder"]
    assert labels[0].get_position()[1] > labels[1].get_position()[1]
    # Column labels under the last row only.
    assert [ax.get_xlabel() for ax in fig.axes[5:]] == list("abcde") and not fig.axes[0].get_xlabel()
    assert fig.axes[0].images[0].get_array().shape == (28, 28)
    # Ten images to a row still fit the widest figure.
    wide = plotting.image_grid([np.zeros((10, 784))], title="Ten")
    assert wide.get_figwidth() <= plotting.MAX_WIDTH + 1e-9


def test_png_records_the_smallest_font_and_the_dpi() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("big", fontsize=20)
    ax.text(0.5, 0.5, "small", fontsize=7.5)
    ax.text(0.5, 0.2, "   ", fontsize=3)  # blank text draws nothing: not counted
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1, 5])  # a tick outside the limits is not drawn: its label is not counted
    ax.tick_params(labelsize=12)
    png, metadata = plotting.figure_png(fig)
    text = plotting.png_text(png)
    assert float(text[plotting.PNG_FONT_KEY]) == 7.5
    assert float(text[plotting.PNG_DPI_KEY]) == plotting.SAVE_DPI
    # Shown at DISPLAY_DPI CSS px per inch, with twice as many pixels: sharp on 2x screens.
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert metadata["width"] * 2 == pytest.approx(image.width, abs=1)
    assert image.info[plotting.PNG_FONT_KEY] == "7.5"  # a standard tEXt chunk, readable by any PNG reader
    assert plotting.smallest_font_pt(fig) == 7.5


def test_png_is_transparent_around_the_plot() -> None:
    fig = plotting.plot_history({"loss": [1, 0.5]})
    from PIL import Image

    image = Image.open(io.BytesIO(plotting.figure_png(fig)[0])).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((image.width - 1, image.height - 1))[3] == 0


def _contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = np.array(matplotlib.colors.to_rgb(colour))
        linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
        return float(linear @ [0.2126, 0.7152, 0.0722])

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colour_reads_on_light_and_dark_pages() -> None:
    for key in ("text.color", "axes.labelcolor", "xtick.color", "ytick.color", "axes.edgecolor"):
        for mode, background in BACKGROUNDS.items():
            assert _contrast(plt.rcParams[key], background) >= 4.0, (key, mode)
    assert matplotlib.colors.to_rgba(plt.rcParams["figure.facecolor"])[3] == 0
    assert plt.rcParams["savefig.transparent"]
    # The check itself can fail: black text would not read on the dark page.
    assert _contrast("black", BACKGROUNDS["dark"]) < 4.0


def _book_figures():
    """Every figure function of the book, drawn from synthetic numbers shaped like the chapters'."""
    rng = np.random.default_rng(0)
    digits = rng.random((10, 28, 28)).astype("float32")
    yield "image_grid, 4 rows", plotting.image_grid(
        [digits] * 4, row_labels=["noisy input", "basic\nautoencoder", "denoising\nautoencoder", "clean original"],
        title="Test digits with noise σ = 0.5")
    yield "image_grid, 6 rows and columns labelled", plotting.image_grid(
        [digits] * 6, row_labels=["original"] + [f"latent {size}" for size in (2, 8, 16, 32, 64)],
        column_labels=[f"{weight:.2f}" for weight in np.linspace(0, 1, 10)],
        title="The same digits at every latent size")
    yield "image_grid, intro thumbnail", plotting.image_grid([digits[:5]], title="MNIST digits", size=0.9)
    yield "plot_history", plotting.plot_history(
        {"accuracy": [0.7, 0.8, 0.85], "val_accuracy": [0.72, 0.8, 0.83]}, metrics=("accuracy",),
        title="LSTM accuracy", ylabel="accuracy")
    table = pd.DataFrame({"bce": [0.2, 0.12, 0.1, 0.09], "mse": [0.05, 0.03, 0.02, 0.015],
                          "psnr": [13.0, 15.2, 17.1, 18.3]}, index=[2, 8, 32, 128])
    yield "plot_error_vs_latent, 3 metrics", autoencoders.plot_error_vs_latent(
        table, title="Autoencoder: test error against latent size")
    yield "plot_error_vs_latent, 2 metrics and PCA", autoencoders.plot_error_vs_latent(
        table, table * 1.1, metrics=("mse", "psnr"), title="Autoencoder against PCA")
    yield "plot_per_digit_error", autoencoders.plot_per_digit_error(rng.random(10) / 10)
    yield "plot_latent_projection", autoencoders.plot_latent_projection(rng.normal(size=(300, 2)),
                                                                        np.arange(300) % 10)
    sweep = pd.DataFrame([{"output": name, "std": std, "MSE": std * factor}
                          for name, factor in (("noisy input", 1.0), ("basic", 0.8), ("denoiser", 0.2))
                          for std in (0.0, 0.25, 0.5, 0.75, 1.0)])
    yield "plot_noise_sweep", denoising.plot_noise_sweep(sweep, trained_std=0.5)
    yield "textgen.plot_loss", textgen.plot_loss({"loss": [2.4, 1.9, 1.7], "val_loss": [2.2, 1.95, 1.85]})
    vocabulary = textgen.CharVocabulary(sorted(set("abcdefghijklmnopqrstuvwxyz \n.,;:!?'ABCDE")))
    yield "plot_temperature_distribution", textgen.plot_temperature_distribution(
        rng.normal(size=vocabulary.size) * 2, vocabulary, context="To be, or not to be, that is the question")
    rows = [{"temperature": t, "entropy": t, "word_share": 1 - t / 2, "distinct_ngrams": t / 2, "nll": 1 + t}
            for t in (0.2, 0.5, 0.8, 1.0, 1.2)]
    yield "plot_temperature_metrics", textgen.plot_temperature_metrics(rows)
    yield "plot_length_distribution", sentiment.plot_length_distribution(rng.integers(10, 1500, 2000), 200)
    labels = rng.integers(0, 2, 400)
    scores = np.clip(labels * 0.4 + rng.random(400) * 0.6, 0, 1)
    yield "plot_confusion_matrix", sentiment.plot_confusion_matrix(labels, scores, title="LSTM on the test reviews")
    yield "plot_roc_pr", sentiment.plot_roc_pr(labels, {"LSTM, no class weights": scores,
                                                        "LSTM, balanced class weights": scores ** 2})
    yield "plot_operating_points", sentiment.plot_operating_points(
        labels, scores, [0.3, 0.5, 0.7], labels_for_points=["recall 0.95", "default 0.5", "precision 0.95"])


def test_every_book_figure_reads_on_a_phone() -> None:
    """The smallest text of each figure, shown in a phone's text column, is at least 8 CSS px:
    the same measure as tests/browser/test_figures.py, before any page is built."""
    small = {}
    for name, fig in _book_figures():
        assert fig.get_figwidth() <= plotting.MAX_WIDTH + 1e-9, f"{name} is wider than MAX_WIDTH"
        size = plotting.phone_text_px(fig)
        if size < plotting.MIN_PHONE_TEXT_PX:
            small[name] = round(size, 2)
        plt.close(fig)
    assert not small, f"text under {plotting.MIN_PHONE_TEXT_PX} CSS px on a phone: {small}"


def test_phone_text_px_fails_a_figure_too_wide_for_a_phone() -> None:
    # The old four-in-a-row temperature figure: 11 inches wide, tick labels at 10.5 pt.
    fig, axes = plt.subplots(1, 4, figsize=(11, 3.2))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
    assert plotting.phone_text_px(fig) < plotting.MIN_PHONE_TEXT_PX
    # Shown at its full width (a column wide enough) the same text is large enough: the phone is the hard case.
    assert plotting.phone_text_px(fig, column_px=2000) > plotting.MIN_PHONE_TEXT_PX
