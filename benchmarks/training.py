"""Benchmark: training throughput of each chapter's model on this machine.

Builds every chapter's model with the library (``dlbook.autoencoders``,
``dlbook.denoising``, ``dlbook.textgen``, ``dlbook.sentiment``), compiles it
as the chapter does, feeds it the chapter's training data through the
chapter's input pipeline, and times a fixed number of training steps with
``model.fit``. The training cache is never used: every step really trains.

For each model it reports the number of parameters, milliseconds per step,
steps per second, samples per second (images, characters or reviews; tokens
too for the sentiment model) and an *estimated* time per epoch of the active
profile: the profile's training steps per epoch divided by the measured steps
per second. The estimate counts training steps only, not validation, and
assumes the measured speed holds for a whole epoch.

Each model first runs ``--warmup`` steps, so that graph tracing and the first
use of the BLAS threads are not timed; then ``--repeats`` timed runs of
``--steps`` steps each, of which the fastest counts. A run is timed from the
start to the end of its epoch (after TensorFlow has finished the last step),
which leaves out ``fit``'s one-off setup of the data adapter.

Usage::

    python benchmarks/training.py [--profile quick|full] [--models autoencoder denoising textgen sentiment]
                                  [--steps 50] [--warmup 10] [--repeats 3] [--json out.json]

Run with ``DLBOOK_DATA`` pointing at the offline datasets, on an otherwise
idle machine: timings depend on the load (the load average is recorded).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The models this script knows, in chapter order.
MODEL_NAMES = ("autoencoder", "denoising", "textgen", "sentiment")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("quick", "full"), default=None,
                        help="Whose data sizes and epoch estimates to use (default: DLBOOK_PROFILE or quick).")
    parser.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES),
                        metavar="MODEL",
                        help=f"Which models to time, among {', '.join(MODEL_NAMES)} (default: all).")
    parser.add_argument("--steps", type=int, default=50, help="Training steps per timed run (default: 50).")
    parser.add_argument("--warmup", type=int, default=10,
                        help="Untimed training steps before the timed runs (default: 10).")
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs per model; the fastest counts (default: 3).")
    parser.add_argument("--json", metavar="PATH", help="Also write the results to this JSON file.")
    arguments = parser.parse_args(argv)
    for name in ("steps", "warmup", "repeats"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name} must be a positive integer.")
    # Keep the order of the chapters and drop duplicates, whatever order was typed.
    arguments.models = [name for name in MODEL_NAMES if name in arguments.models]
    return arguments


@dataclass
class Workload:
    """One chapter's compiled model and a way to feed it exactly ``steps`` training steps.

    Attributes:
        name: Short name of the model (one of :data:`MODEL_NAMES`).
        chapter: Which chapter trains it, for the table.
        model: The compiled ``keras.Model``.
        fit_arguments: ``steps -> keyword arguments of model.fit`` that make
            one epoch of exactly ``steps`` training steps.
        batch_size: Examples per step.
        samples_per_step: Counted units per step, e.g. ``{"images": 256}``;
            the first one is the model's main unit.
        steps_per_profile_epoch: Training steps in one epoch of the active profile.
        settings: Anything else worth recording (data sizes, sequence lengths).
    """

    name: str
    chapter: str
    model: Any
    fit_arguments: Callable[[int], dict[str, Any]]
    batch_size: int
    samples_per_step: dict[str, int]
    steps_per_profile_epoch: int
    settings: dict[str, Any] = field(default_factory=dict)


def take_rows(array: Any, count: int) -> Any:
    """The first ``count`` rows of ``array``, starting again from the top if it has fewer.

    Wrapping around lets ``--steps`` exceed one epoch of the profile's data;
    every step still costs the same, since all rows have the same shape.
    """
    import numpy as np

    if count <= len(array):
        return array[:count]
    return array[np.arange(count) % len(array)]


# ------------------------------------------------------------------ workloads

def _mnist_autoencoder() -> tuple[Any, Any, int]:
    """The profile's MNIST splits, and chapter 1's compiled autoencoder (latent size 32) with its batch size."""
    import keras

    from dlbook import autoencoders, config
    from dlbook.recipes import autoencoder as recipe

    splits = autoencoders.load_mnist_splits()
    keras.utils.set_random_seed(config.SEED)
    model, _, _ = recipe.build_autoencoder(32)  # chapter 1's cell, compiled as there
    return splits, model, autoencoders.BATCH_SIZE


def autoencoder_workload() -> Workload:
    """Chapter 1: the dense autoencoder (latent size 32) on clean MNIST digits."""
    splits, model, batch_size = _mnist_autoencoder()

    def fit_arguments(steps: int) -> dict[str, Any]:
        # A whole number of full batches: no smaller last batch to trace or time.
        images = take_rows(splits.x_train, steps * batch_size)
        return {"x": images, "y": images, "batch_size": batch_size}

    return Workload(
        name="autoencoder", chapter="1 autoencoder", model=model, fit_arguments=fit_arguments,
        batch_size=batch_size, samples_per_step={"images": batch_size},
        steps_per_profile_epoch=math.ceil(len(splits.x_train) / batch_size),
        settings={"latent_dim": 32, "train_images": len(splits.x_train)},
    )


def denoising_workload() -> Workload:
    """Chapter 2: the same autoencoder fed fresh noisy digits by ``NoisyImages``."""
    from dlbook import config, denoising

    splits, model, batch_size = _mnist_autoencoder()

    def fit_arguments(steps: int) -> dict[str, Any]:
        # NoisyImages over exactly steps * batch_size digits: one of its epochs
        # is then exactly `steps` batches, and drawing the noise (done per
        # batch, in the input pipeline) is timed along with the training step.
        batches = denoising.NoisyImages(take_rows(splits.x_train, steps * batch_size),
                                        std=denoising.NOISE_STD, batch_size=batch_size, seed=config.SEED)
        return {"x": batches}

    return Workload(
        name="denoising", chapter="2 denoising", model=model, fit_arguments=fit_arguments,
        batch_size=batch_size, samples_per_step={"images": batch_size},
        steps_per_profile_epoch=math.ceil(len(splits.x_train) / batch_size),
        settings={"latent_dim": 32, "noise_std": denoising.NOISE_STD, "train_images": len(splits.x_train)},
    )


def textgen_workload() -> Workload:
    """Chapter 3: the character LSTM on Tiny Shakespeare, through ``textgen.make_dataset``."""
    import keras

    from dlbook import config, data, textgen
    from dlbook.recipes import text_generation as recipe

    text = data.load_text(textgen.CORPUS)
    vocabulary = textgen.CharVocabulary.from_text(text)
    train_ids, *_ = textgen.encode_splits(text, vocabulary, train_chars=textgen.TRAIN_CHARS)
    keras.utils.set_random_seed(config.SEED)
    model = recipe.build_model(vocabulary.size, textgen.UNITS)  # chapter 3's cells, as there
    recipe.compile_model(model, textgen.steps_per_epoch(len(train_ids)))
    dataset = textgen.make_dataset(train_ids, sequence_length=textgen.SEQUENCE_LENGTH,
                                   batch_size=textgen.BATCH_SIZE, shuffle=True, seed=config.SEED)
    steps_per_epoch = int(dataset.cardinality())
    # The quick profile's epoch is shorter than the default --steps, so the
    # dataset repeats; each fit call still starts a fresh, reshuffled pass.
    repeated = dataset.repeat()

    def fit_arguments(steps: int) -> dict[str, Any]:
        return {"x": repeated, "steps_per_epoch": steps}

    characters = textgen.BATCH_SIZE * textgen.SEQUENCE_LENGTH
    return Workload(
        name="textgen", chapter="3 text generation", model=model, fit_arguments=fit_arguments,
        batch_size=textgen.BATCH_SIZE, samples_per_step={"characters": characters},
        steps_per_profile_epoch=steps_per_epoch,
        settings={"sequence_length": textgen.SEQUENCE_LENGTH, "units": textgen.UNITS,
                  "vocab_size": vocabulary.size, "train_chars": len(train_ids)},
    )


def sentiment_workload() -> Workload:
    """Chapter 4: the LSTM sentiment classifier on vectorized IMDB reviews."""
    import keras

    from dlbook import config, sentiment
    from dlbook.recipes import sentiment as recipe

    splits = sentiment.load_imdb_splits()
    vectorizer = sentiment.build_vectorizer(splits.train_texts)
    reviews = sentiment.vectorize(vectorizer, splits.train_texts)
    labels = splits.train_labels
    keras.utils.set_random_seed(config.SEED)
    model = recipe.build_model(sentiment.VOCAB_SIZE)  # chapter 4's cell, compiled as there
    batch_size = sentiment.BATCH_SIZE

    def fit_arguments(steps: int) -> dict[str, Any]:
        count = steps * batch_size
        return {"x": take_rows(reviews, count), "y": take_rows(labels, count), "batch_size": batch_size}

    return Workload(
        name="sentiment", chapter="4 sentiment", model=model, fit_arguments=fit_arguments,
        batch_size=batch_size,
        # Every review is cut or padded to SEQUENCE_LENGTH tokens; the padding is
        # masked but the LSTM still steps over it, so all of them count.
        samples_per_step={"reviews": batch_size, "tokens": batch_size * sentiment.SEQUENCE_LENGTH},
        steps_per_profile_epoch=math.ceil(len(reviews) / batch_size),
        settings={"sequence_length": sentiment.SEQUENCE_LENGTH, "vocab_size": sentiment.VOCAB_SIZE,
                  "train_reviews": len(reviews)},
    )


WORKLOADS: dict[str, Callable[[], Workload]] = {
    "autoencoder": autoencoder_workload,
    "denoising": denoising_workload,
    "textgen": textgen_workload,
    "sentiment": sentiment_workload,
}


# --------------------------------------------------------------------- timing

def make_epoch_timer() -> Any:
    """A Keras callback that records the wall time of every epoch in ``seconds``.

    It only hooks the epoch's begin and end, not every batch, so Keras keeps
    dispatching steps asynchronously, as in the chapters' training; at the end
    of an epoch Keras waits for TensorFlow to finish, so the time is complete.
    """
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._start = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def train_steps(workload: Workload, steps: int) -> float:
    """Train ``steps`` steps in one ``fit`` call; returns the epoch's seconds.

    Raises:
        RuntimeError: if ``fit`` ran another number of steps (the data ran out).
    """
    model = workload.model
    timer = make_epoch_timer()
    before = int(model.optimizer.iterations.numpy())
    model.fit(**workload.fit_arguments(steps), epochs=1, callbacks=[timer], verbose=0)
    ran = int(model.optimizer.iterations.numpy()) - before
    # The optimizer's step counter is the ground truth: a short input would
    # only give Keras' "ran out of data" warning and a too-fast time.
    if ran != steps:
        raise RuntimeError(f"{workload.name}: asked for {steps} training steps, fit ran {ran}.")
    return timer.seconds[0]


def measure(workload: Workload, *, steps: int, warmup: int, repeats: int) -> dict[str, Any]:
    """Warm the model up, time ``repeats`` runs of ``steps`` steps, and summarize the fastest."""
    warmup_seconds = train_steps(workload, warmup)  # Traces the train step: not counted.
    seconds = [train_steps(workload, steps) for _ in range(repeats)]
    best = min(seconds)
    steps_per_second = steps / best
    return {
        "chapter": workload.chapter,
        "parameters": int(workload.model.count_params()),
        "batch_size": workload.batch_size,
        "steps": steps,
        "warmup_steps": warmup,
        "warmup_seconds": round(warmup_seconds, 3),
        "seconds": [round(value, 4) for value in seconds],
        "ms_per_step": 1000 * best / steps,
        "steps_per_second": steps_per_second,
        "samples_per_second": {unit: count * steps_per_second
                               for unit, count in workload.samples_per_step.items()},
        "steps_per_profile_epoch": workload.steps_per_profile_epoch,
        "estimated_seconds_per_profile_epoch": workload.steps_per_profile_epoch / steps_per_second,
        "settings": workload.settings,
    }


def print_table(result: dict[str, Any]) -> None:
    """Print one row per model, then what the estimate means."""
    profile = result["profile"]
    runs = f"{result['repeats']} runs" if result["repeats"] > 1 else "1 run"
    print(f"\nTraining throughput, {profile} profile, best of {runs} of "
          f"{result['steps']} steps, on {result['machine']}")
    header = (f"{'model':<20} {'params':>10} {'batch':>6} {'ms/step':>9} {'steps/s':>8} "
              f"{'samples/s':>24} {'steps/epoch':>12} {'est. s/epoch':>13}")
    print(header)
    print("-" * len(header))
    for row in result["models"].values():
        throughputs = list(row["samples_per_second"].items())
        unit, value = throughputs[0]
        print(f"{row['chapter']:<20} {row['parameters']:>10,} {row['batch_size']:>6} "
              f"{row['ms_per_step']:>9.1f} {row['steps_per_second']:>8.2f} "
              f"{f'{value:,.0f} {unit}':>24} {row['steps_per_profile_epoch']:>12,} "
              f"{row['estimated_seconds_per_profile_epoch']:>13.1f}")
        # Secondary units (the sentiment model's tokens) get a line of their own.
        for unit, value in throughputs[1:]:
            print(f"{'':<57} {f'{value:,.0f} {unit}':>24}")
    print(f"\nest. s/epoch: estimated seconds per training epoch of the {profile} profile "
          "(steps/epoch / steps/s),\ntraining steps only: no validation, no data loading before fit.")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv)
    if arguments.profile:
        # The profile must be set before the dlbook modules pick their constants.
        os.environ["DLBOOK_PROFILE"] = arguments.profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not os.environ.get("DLBOOK_DATA"):
        print("note: DLBOOK_DATA is unset, datasets come from (or are downloaded into) the cache",
              file=sys.stderr)

    import keras
    import tensorflow as tf

    from dlbook import config, notebook

    notebook.setup()

    result: dict[str, Any] = {
        "profile": config.profile(),
        "machine": notebook.machine_description(load_average=True),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "steps": arguments.steps,
        "warmup": arguments.warmup,
        "repeats": arguments.repeats,
        "models": {},
    }
    for name in arguments.models:
        print(f"{name}: loading data and building the model ...", file=sys.stderr, flush=True)
        workload = WORKLOADS[name]()
        print(f"{name}: training ...", file=sys.stderr, flush=True)
        result["models"][name] = measure(workload, steps=arguments.steps, warmup=arguments.warmup,
                                         repeats=arguments.repeats)
        # Free the model and its graphs before the next one, so that models
        # do not slow each other down through memory pressure.
        del workload
        keras.backend.clear_session()
    # Load measured at the end too: a busy machine makes the timings suspect.
    result["load_average_after"] = [round(load, 2) for load in os.getloadavg()]

    print_table(result)
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {arguments.json}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
