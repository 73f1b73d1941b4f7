"""The ``dlbook`` command line: data, training, generation, classification, and the book.

Run ``python -m dlbook --help`` (or ``dlbook --help`` once installed).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import click

import dlbook
from dlbook import config
from dlbook.data import DATASETS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(dlbook.__version__, prog_name="dlbook")
def main() -> None:
    """Deep Learning, Hands-On: the book's datasets, models and build."""


# ----------------------------------------------------------------------- data

@main.group()
def data() -> None:
    """Download or check the book's datasets."""


def _data_folder_option(function):  # type: ignore[no-untyped-def]
    return click.option(
        "--data", "data_folder", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Read datasets from this folder (like DLBOOK_DATA); never download.",
    )(function)


def _use_data_folder(folder: Path | None) -> None:
    if folder is not None:
        os.environ["DLBOOK_DATA"] = str(folder)


@data.command("fetch", short_help="Download the datasets into the cache.")
@click.argument("names", nargs=-1, type=click.Choice(list(DATASETS)))
@_data_folder_option
def data_fetch(names: tuple[str, ...], data_folder: Path | None) -> None:
    """Download the datasets (all, or NAMES) into the cache, with a progress bar.

    Each file goes to a temporary file first and is checked against its
    published checksum before it is renamed into place.
    """
    from dlbook import data as datasets

    _use_data_folder(data_folder)
    failed = False
    for name in names or tuple(datasets.DATASETS):
        try:
            path = _fetch_with_progress(name)
        except datasets.DataError as error:
            click.echo(f"{name}: {error}", err=True)
            failed = True
        else:
            click.echo(f"{name:12s} ok  {path}")
    if failed:
        raise SystemExit(1)


def _fetch_with_progress(name: str) -> Path:
    """``data.fetch(name)``, with a progress bar when it has to download."""
    from dlbook import data as datasets

    if config.data_dir() is not None or datasets.dataset_path(name).exists():
        return datasets.fetch(name)
    with click.progressbar(length=1, label=f"{name:12s}", show_pos=False) as bar:

        def progress(done: int, total: int) -> None:
            if total:  # servers that do not send a length get no bar
                bar.length = total
                bar.update(done - bar.pos)

        return datasets.fetch(name, progress=progress)


@data.command("verify", short_help="Check a data folder file by file.")
@click.argument("names", nargs=-1, type=click.Choice(list(DATASETS)))
@_data_folder_option
def data_verify(names: tuple[str, ...], data_folder: Path | None) -> None:
    """Say file by file whether each dataset is present, intact and loadable.

    Never downloads. Exits with status 1 if any file is missing or corrupt.
    """
    from dlbook import data as datasets

    _use_data_folder(data_folder)
    problems = 0
    where = config.data_dir() or (config.cache_dir() / "datasets")
    click.echo(f"Checking datasets in {where}")
    for name in names or tuple(datasets.DATASETS):
        try:
            path = datasets.verify(name)
        except datasets.DataError as error:
            problems += 1
            status = error.reason
            click.echo(f"  {name:12s} {status:8s} {error}")
        else:
            click.echo(f"  {name:12s} {'ok':8s} {path}")
    if problems:
        raise SystemExit(1)


# ---------------------------------------------------------------------- train

def _profile_option(function):  # type: ignore[no-untyped-def]
    return click.option(
        "--profile", type=click.Choice(config.PROFILES), default=None,
        help="quick or full (default: DLBOOK_PROFILE, else quick): the book's settings to use.",
    )(function)


#: What TensorFlow's C++ runtime prints to stderr while it loads, before its
#: log level applies (absl's notice, oneDNN's, the CPU feature guard's, the
#: CUDA plugins' when no GPU is usable), and oneDNN's notes while it runs
#: (the sentiment model's mask: "oneDNN supports DT_BOOL only on ..."), which
#: it prints as errors. Nothing a reader can act on.
_TENSORFLOW_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN|cpu_feature_guard"
    r"|To enable the following instructions|rebuild TensorFlow with the appropriate compiler flags"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered"
    r"|could not find cuda drivers|TF-TRT Warning|Could not find TensorRT|cuda_(dnn|fft|blas|executor)\.cc"
)


@contextlib.contextmanager
def _without_tensorflow_noise() -> Iterator[None]:
    """Hold back TensorFlow's noise (:data:`_TENSORFLOW_NOISE`), and only that, from standard error.

    TensorFlow's C++ code writes straight to file descriptor 2, so the
    descriptor itself is pointed at a pipe; a thread passes every other line
    (a real error, a Python warning, the command's own messages) on to the
    real standard error as it comes. Skipped when the reader asked for all of
    TensorFlow's logs with ``TF_CPP_MIN_LOG_LEVEL=0``.
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    reading, writing = os.pipe()

    def forward() -> None:
        with os.fdopen(reading, "rb") as lines, os.fdopen(os.dup(saved), "wb") as out:
            for line in lines:
                if not _TENSORFLOW_NOISE.search(line.decode("utf-8", "replace")):
                    out.write(line)
                    out.flush()

    thread = threading.Thread(target=forward, name="stderr-filter", daemon=True)
    thread.start()
    os.dup2(writing, 2)
    os.close(writing)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last writing end: the thread reads to the end
        thread.join()
        os.close(saved)


def _start_tensorflow() -> None:
    """Import TensorFlow and Keras quietly (see :func:`_without_tensorflow_noise`)."""
    with _without_tensorflow_noise():
        import keras  # noqa: F401
        import tensorflow as tf

    tf.get_logger().setLevel("ERROR")


def _prepare(profile: str | None, data_folder: Path | None, *, tensorflow: bool = True) -> None:
    """Apply the profile and data options (read by the task functions when called), then start TensorFlow."""
    if profile:
        os.environ["DLBOOK_PROFILE"] = profile
    _use_data_folder(data_folder)
    config.profile()  # An invalid DLBOOK_PROFILE is reported before any work.
    if tensorflow:
        _start_tensorflow()


def _keras_verbosity() -> int:
    """A live progress bar per epoch in a terminal, one line per epoch in a log."""
    return 1 if sys.stdout.isatty() else 2


def _use_task(task: str, train: bool, function, hint: str = ""):  # type: ignore[no-untyped-def]
    """Run ``function(missing=..., verbose=...)``, turning expected failures into messages."""
    from dlbook import data as datasets
    from dlbook import training

    if train:
        click.echo(f"{task} ({config.profile()} profile): loading the data; training unless the cache has the model")
    try:
        return function(missing="train" if train else "raise", verbose=_keras_verbosity() if train else 0)
    except datasets.DataError as error:
        raise click.ClickException(str(error)) from None
    except training.NotTrainedError:
        raise click.ClickException(
            f"No trained {task} model with these settings yet (profile {config.profile()}). "
            f"Train it first:\n\n    dlbook train {task}{hint}\n\n"
            "(or build the book, which trains the same models into the same cache: "
            f"{config.cache_dir() / 'models'})"
        ) from None


#: How the summary names each metric, and how it prints it.
_METRIC_LABELS: dict[str, tuple[str, str]] = {
    "test_bce": ("test binary cross-entropy per pixel", "{:.4f}"),
    "test_mse": ("test mean squared error", "{:.4f}"),
    "test_psnr": ("test PSNR", "{:.2f} dB"),
    "test_mse_noisy_input": ("test MSE of the noisy input", "{:.4f}"),
    "test_mse_denoised": ("test MSE after denoising", "{:.4f}"),
    "test_psnr_noisy_input": ("test PSNR of the noisy input", "{:.2f} dB"),
    "test_psnr_denoised": ("test PSNR after denoising", "{:.2f} dB"),
    "val_nats_per_char": ("validation loss (nats per character)", "{:.4f}"),
    "val_bits_per_char": ("validation loss (bits per character)", "{:.4f}"),
    "val_perplexity": ("validation perplexity", "{:.2f}"),
    "test_nats_per_char": ("test loss (nats per character)", "{:.4f}"),
    "test_bits_per_char": ("test loss (bits per character)", "{:.4f}"),
    "val_accuracy": ("best validation accuracy", "{:.2%}"),
    "test_accuracy": ("test accuracy at threshold 0.5", "{:.2%}"),
    "test_reviews": ("test reviews scored", "{:,.0f}"),
}


def _epochs(count: int) -> str:
    return f"{count} epoch" if count == 1 else f"{count} epochs"


def _summary(trained, hint: str) -> None:  # type: ignore[no-untyped-def]
    run = trained.run
    if run.cached:
        how = f"loaded from the training cache (trained earlier: {_epochs(run.epochs)} in {run.seconds:.0f} s)"
    else:
        how = f"trained: {_epochs(run.epochs)} in {run.seconds:.0f} s"
    click.echo(f"\n{run.name}: {how}")
    settings = ", ".join(f"{name} {value:,}" if isinstance(value, int) else f"{name} {value}"
                         for name, value in trained.settings.items())
    click.echo(f"  settings: {settings}")
    for name, value in trained.metrics.items():
        label, template = _METRIC_LABELS.get(name, (name, "{:.4g}"))
        click.echo(f"  {label + ':':40s} {template.format(value)}")
    click.echo(f"  cache entry: {run.path}")
    if hint:
        click.echo(f"\nNext: {hint}")


def _option_hint(**options: object) -> str:
    """The command-line options that select the same model again."""
    parts = []
    for name, value in options.items():
        if value is not None and value is not False:
            parts.append(f" --{name.replace('_', '-')} {shlex.quote(str(value))}")
    return "".join(parts)


@main.group(short_help="Train a chapter's model, or load it from the cache.")
def train() -> None:
    """Train one of the book's four models, or load it from the training cache.

    The same recipe, seed and cache as the book: a model the book trained is
    loaded, not retrained, and a model trained here is the one the book uses.
    Prints progress per epoch and a summary of the key metric.
    """


def _common_training_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--epochs", type=click.IntRange(min=1), default=None,
                            help="Epochs (default: the profile's).")(function)
    function = _profile_option(function)
    return _data_folder_option(function)


def _latent_option(function):  # type: ignore[no-untyped-def]
    return click.option("--latent", "latent_dim", type=click.IntRange(min=1), default=32, show_default=True,
                        help="Size of the code (the bottleneck); the book trains 16, 32, 64 and 128.")(function)


def _train_size_option(what: str):  # type: ignore[no-untyped-def]
    return click.option("--train-size", type=click.IntRange(min=1), default=None,
                        help=f"Training {what} (default: the profile's).")


@train.command("autoencoder", short_help="Chapter 1: dense autoencoder on MNIST.")
@_latent_option
@_train_size_option("digits")
@_common_training_options
def train_autoencoder(latent_dim: int, train_size: int | None, epochs: int | None,
                      profile: str | None, data_folder: Path | None) -> None:
    """Chapter 1: the dense autoencoder on MNIST; reports the test reconstruction error."""
    _prepare(profile, data_folder)
    from dlbook import tasks

    trained = _use_task("autoencoder", True, lambda **kw: tasks.autoencoder(
        latent_dim, epochs=epochs, train_size=train_size, **kw))
    _summary(trained, "")


@train.command("denoising", short_help="Chapter 2: denoising autoencoder on MNIST.")
@_latent_option
@click.option("--noise", "noise_std", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Standard deviation of the training noise (default: 0.5, the book's).")
@_train_size_option("digits")
@_common_training_options
def train_denoising(latent_dim: int, noise_std: float | None, train_size: int | None, epochs: int | None,
                    profile: str | None, data_folder: Path | None) -> None:
    """Chapter 2: the denoising autoencoder; reports the test error before and after denoising."""
    _prepare(profile, data_folder)
    from dlbook import tasks

    trained = _use_task("denoising", True, lambda **kw: tasks.denoising(
        latent_dim, noise_std=noise_std, epochs=epochs, train_size=train_size, **kw))
    _summary(trained, "")


def _textgen_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--corpus", type=click.Choice(["shakespeare", "sonnets"]), default=None,
                            help="Training text (default: shakespeare, the book's).")(function)
    function = click.option("--text", "text_file", type=click.Path(path_type=Path), default=None,
                            help="Train on this UTF-8 text file of yours instead of a corpus; "
                                 "its model is cached under its own name.")(function)
    function = click.option("--units", type=click.IntRange(min=1), default=None,
                            help="LSTM units (default: 256, the book's).")(function)
    return click.option("--train-chars", type=click.IntRange(min=2), default=None,
                        help="Train on the first N characters of the training text "
                             "(default: the profile's; the full profile uses all).")(function)


def _textgen_task(corpus, text_file, units, epochs, train_chars):  # type: ignore[no-untyped-def]
    """The task function for these options, and the options that select the same model again."""
    from dlbook import data, tasks

    if corpus and text_file:
        raise click.UsageError("Give --corpus or --text, not both.")
    train_chars = tasks.PROFILE_DEFAULT if train_chars is None else train_chars
    if text_file is not None:
        # Refuse a file that cannot be trained on now, before TensorFlow starts.
        try:
            tasks.read_training_text(text_file, None if train_chars == tasks.PROFILE_DEFAULT else train_chars)
        except data.DataError as error:
            raise click.ClickException(str(error)) from None

    def function(**kw):  # type: ignore[no-untyped-def]
        return tasks.textgen(corpus=corpus, text_file=text_file, units=units, epochs=epochs,
                             train_chars=train_chars, **kw)

    hint = _option_hint(corpus=corpus, text=text_file, units=units, epochs=epochs,
                        train_chars=None if train_chars == tasks.PROFILE_DEFAULT else train_chars,
                        profile=os.environ.get("DLBOOK_PROFILE"))
    return function, hint


@train.command("textgen", short_help="Chapter 3: character-level LSTM on Shakespeare or your text.")
@_textgen_options
@_common_training_options
def train_textgen(corpus: str | None, text_file: Path | None, units: int | None, train_chars: int | None,
                  epochs: int | None, profile: str | None, data_folder: Path | None) -> None:
    """Chapter 3: the character-level LSTM; reports the validation loss in nats and bits per character.

    Trains on Shakespeare (the book's), the sonnets (--corpus sonnets), or
    any UTF-8 text file of yours (--text FILE).
    """
    _prepare(profile, data_folder, tensorflow=False)
    function, hint = _textgen_task(corpus, text_file, units, epochs, train_chars)
    _start_tensorflow()
    trained = _use_task("textgen", True, function)
    prompt = "" if text_file is not None else ' --prompt "ROMEO:"'
    _summary(trained, f"dlbook generate{prompt}{hint}")


def _sentiment_task(epochs, train_size):  # type: ignore[no-untyped-def]
    from dlbook import tasks

    def function(**kw):  # type: ignore[no-untyped-def]
        return tasks.sentiment(epochs=epochs, train_size=train_size, **kw)

    return function, _option_hint(epochs=epochs, train_size=train_size, profile=os.environ.get("DLBOOK_PROFILE"))


@train.command("sentiment", short_help="Chapter 4: LSTM sentiment classifier on IMDB.")
@_train_size_option("reviews")
@_common_training_options
def train_sentiment(train_size: int | None, epochs: int | None, profile: str | None,
                    data_folder: Path | None) -> None:
    """Chapter 4: the LSTM sentiment classifier on IMDB; reports validation and test accuracy."""
    _prepare(profile, data_folder)
    function, hint = _sentiment_task(epochs, train_size)
    trained = _use_task("sentiment", True, function)
    _summary(trained, f'dlbook sentiment "A moving, beautifully acted film."{hint}')


# -------------------------------------------------------------------- use them

def _finite_temperature(context: click.Context, parameter: click.Parameter, value: float) -> float:
    if not (value > 0 and value != float("inf")):
        raise click.BadParameter(f"{value} is not a positive, finite number (try 0.2 to 1.5, or --greedy).")
    return value


def _random_seed(context: click.Context, parameter: click.Parameter, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        # --seed used to take the text to start from; say where that went.
        raise click.BadParameter(
            f"{value!r} is not an integer. --seed is the random seed; give the text to start from with --prompt."
        ) from None


@main.command(short_help="Generate text with the trained character LSTM.")
@click.option("--prompt", default=None,
              help="Text to start from; the sample continues it.  [default: 'ROMEO:' and a line break; "
                   "with --text, the file's first line]")
@click.option("--temperature", type=float, default=0.8, show_default=True, callback=_finite_temperature,
              help="Sampling temperature: low is safe and repetitive, high is varied and misspelt.")
@click.option("--length", type=click.IntRange(min=1, max=1_000_000), default=500, show_default=True,
              help="Characters to generate.")
@click.option("--samples", type=click.IntRange(min=1, max=100), default=1, show_default=True,
              help="Independent samples, generated side by side.")
@click.option("--seed", "random_seed", default=str(config.SEED), show_default=True, callback=_random_seed,
              metavar="INTEGER",
              help="Random seed of the sampling: the same seed gives the same text.")
@click.option("--greedy", is_flag=True, help="Always take the most likely character (ignores --temperature).")
@_textgen_options
@_common_training_options
def generate(prompt: str | None, temperature: float, length: int, samples: int, random_seed: int, greedy: bool,
             corpus: str | None, text_file: Path | None, units: int | None, train_chars: int | None,
             epochs: int | None, profile: str | None, data_folder: Path | None) -> None:
    """Generate text with chapter 3's trained character-level LSTM.

    Uses the model trained by the book or by 'dlbook train textgen' with the
    same model options (--profile, --epochs, --units, --train-chars,
    --corpus or --text); it never trains. The text goes to standard output.
    """
    _prepare(profile, data_folder, tensorflow=False)
    function, hint = _textgen_task(corpus, text_file, units, epochs, train_chars)
    _start_tensorflow()
    import numpy as np

    from dlbook import textgen

    trained = _use_task("textgen", False, lambda **kw: function(evaluate=False, **kw), hint)
    vocabulary = trained.extras["vocabulary"]
    prompt = trained.extras["prompt"] if prompt is None else prompt
    unknown = sorted(set(prompt) - set(vocabulary.characters))
    if not prompt or unknown:
        raise click.BadParameter(
            "the prompt is empty" if not prompt else
            f"the characters {''.join(unknown)!r} never occur in the training text", param_hint="'--prompt'",
        )
    generator = textgen.OneStep(trained.model, vocabulary)
    generation = generator.generate(prompt, length, temperature=temperature, streams=samples,
                                    rng=np.random.default_rng(random_seed), greedy=greedy)
    for index, text in enumerate(generation.texts):
        if samples > 1:
            click.echo(f"--- sample {index + 1} ---")
        click.echo(prompt + text)
    click.echo(
        f"[{trained.run.name}, {'greedy' if greedy else f'temperature {temperature:g}'}, seed {random_seed}, "
        f"{generation.entropies.size:,} characters at {generation.characters_per_second:,.0f}/s]", err=True,
    )


def _read_reviews(texts: tuple[str, ...], file: str | None) -> list[str]:
    if texts and file:
        raise click.UsageError("Give reviews as arguments or with --file, not both.")
    if texts:
        return list(texts)
    if file is None:
        if sys.stdin.isatty():
            raise click.UsageError("Give a review text, --file PATH, or pipe reviews into standard input.")
        file = "-"
    try:
        if file == "-":
            content = sys.stdin.read()
        else:
            content = Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{file} is not UTF-8 text.", param_hint="'--file'") from None
    except OSError as error:
        raise click.BadParameter(f"cannot read {file}: {error.strerror}.", param_hint="'--file'") from None
    reviews = [line.strip() for line in content.splitlines() if line.strip()]
    if not reviews:
        raise click.UsageError(f"No reviews in {'standard input' if file == '-' else file} (one review per line).")
    return reviews


@main.command("sentiment", short_help="Classify reviews with the trained sentiment LSTM.")
@click.argument("texts", nargs=-1)
@click.option("--file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Read reviews from this file, one per line ('-' for standard input).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Call a review positive when P(positive) is at least this.")
@_train_size_option("reviews")
@_common_training_options
def sentiment_command(texts: tuple[str, ...], file: str | None, threshold: float, train_size: int | None,
                      epochs: int | None, profile: str | None, data_folder: Path | None) -> None:
    """Classify reviews with chapter 4's trained LSTM: P(positive) and a label per review.

    Reviews come from the arguments, from --file (one per line), or from
    standard input. Uses the model trained by the book or by 'dlbook train
    sentiment' with the same model options (--profile, --epochs,
    --train-size); it never trains. Tab-separated output:
    probability, label, review.
    """
    reviews = _read_reviews(texts, file)
    _prepare(profile, data_folder, tensorflow=False)
    from dlbook import tasks

    # The model in NumPy when its vocabulary was saved: no TensorFlow, no IMDB.
    reader = tasks.sentiment_reader(epochs=epochs, train_size=train_size)
    if reader is not None:
        probabilities = reader.predict(reviews)
    else:
        from dlbook import sentiment

        _start_tensorflow()
        function, hint = _sentiment_task(epochs, train_size)
        trained = _use_task("sentiment", False, lambda **kw: function(evaluate=False, **kw), hint)
        probabilities = sentiment.predict_sentiment(trained.model, trained.extras["vectorizer"], reviews)
    for review, probability in zip(reviews, probabilities):
        label = "positive" if probability >= threshold else "negative"
        click.echo(f"{probability:.3f}\t{label}\t{review}")


# ---------------------------------------------------------------------- build

@main.command(short_help="Build the book into _build/html.")
@click.option("--profile", type=click.Choice(config.PROFILES), default=None,
              help="quick (default) or full; sets DLBOOK_PROFILE.")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def build(profile: str | None, extra: tuple[str, ...]) -> None:
    """Build the book into _build/html (the README's command: scripts/build.sh)."""
    root = config.book_root()
    if root is None or not (root / "scripts" / "build.sh").is_file():
        raise click.ClickException(
            "No book found here: run this from a clone of the dlbook repository."
        )
    environment = dict(os.environ)
    if profile:
        environment["DLBOOK_PROFILE"] = profile
    result = subprocess.run(["bash", str(root / "scripts" / "build.sh"), *extra], cwd=root, env=environment)
    raise SystemExit(result.returncode)


def run() -> None:
    """Entry point that turns user errors into messages, never tracebacks.

    TensorFlow's C++ log is kept to errors unless TF_CPP_MIN_LOG_LEVEL says
    otherwise: set here, for this command's process only, before TensorFlow
    loads (importing dlbook changes no environment).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Warnings about the libraries' own internals (Keras' default shuffle=True
    # with a tf.data dataset) are nothing a reader of the output can act on.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"(keras|tensorflow)\.")
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        with _without_tensorflow_noise():  # TensorFlow also prints some while it runs
            main(standalone_mode=True)
    except ValueError as error:  # invalid settings such as DLBOOK_PROFILE=fast
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    run()
