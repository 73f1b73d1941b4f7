"""Benchmark: generation speed of chapter 3's methods against the machine's floor, in one run.

Chapter 3 (text generation) generates text with ``dlbook.textgen.OneStep``,
which carries the LSTM state ``(h, c)`` from one character to the next. Two
baselines re-read the last ``window`` characters for every new one: the same
NumPy step (``generation_timing.window_generate``, the fair comparison: what carrying
the state saves) and ``model.predict`` (``generation_timing.naive_generate``: what one
framework call per character costs). The floor is the step's unavoidable
work alone, its matrix products (``H x 4H`` recurrent, ``H x V`` output) in
a tight float32 NumPy loop, vector-matrix for one stream and matrix-matrix
for several. Absolute speeds differ between machines; the share of the floor
compares across them.

The script trains the chapter's model (or loads it from the training cache,
where the chapter's build left it) and prints every speed and ratio side by
side.

Usage::

    python benchmarks/generation.py [--profile quick|full] [--json out.json]

The target is at least 50 % of the floor for one stream and for 16 streams.
Timings depend on the load of the machine: each number is the best of many
short runs, and the floor and the NumPy methods take turns.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("quick", "full"), default=None,
                        help="Which profile's model to use (default: DLBOOK_PROFILE or quick).")
    parser.add_argument("--json", metavar="PATH", help="Also write the results to this JSON file.")
    parser.add_argument("--stateful-chars", type=int, default=200,
                        help="Characters per stateful run, one stream (default: 200).")
    parser.add_argument("--window-chars", type=int, default=4,
                        help="Characters per run of the NumPy window baseline (default: 4).")
    parser.add_argument("--naive-chars", type=int, default=20,
                        help="Characters per run of the model.predict baseline (default: 20).")
    parser.add_argument("--streams", type=int, default=16,
                        help="Streams for the batched stateful run (default: 16).")
    parser.add_argument("--repeats", type=int, default=100,
                        help="Short runs per method, taking turns; the best counts (model.predict: 3) "
                             "(default: 100).")
    parser.add_argument("--seed-text", default="ROMEO:\n", help="The seed text (default: 'ROMEO:\\n').")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    if arguments.profile:
        # The profile must be set before dlbook.textgen picks its constants.
        os.environ["DLBOOK_PROFILE"] = arguments.profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    from dlbook import config, generation_timing, notebook, tasks, textgen
    from dlbook.recipes import text_generation as recipe

    notebook.setup()

    # The chapter's model, the same one its build left in the training cache.
    trained = tasks.textgen(evaluate=False)
    model, vocabulary, run = trained.model, trained.extras["vocabulary"], trained.run
    print(run)

    window, streams = textgen.SEQUENCE_LENGTH, arguments.streams
    speed = generation_timing.time_generators(
        model, vocabulary, arguments.seed_text, stateful_length=arguments.stateful_chars,
        window_length=arguments.window_chars, naive_length=arguments.naive_chars, window=window,
        streams=streams, repeats=arguments.repeats,
    )
    result = {
        "profile": config.profile(),
        "model": {"units": textgen.UNITS, "embedding_dim": recipe.embedding_dim,
                  "vocab_size": vocabulary.size, "val_loss": run.final("val_loss"),
                  "cached": run.cached, "training_seconds": run.seconds},
        "machine": notebook.machine_description(load_average=True),
        **speed,
        "targets": {"stateful_share_of_floor": 0.5, "stateful_streams_share_of_floor": 0.5},
    }

    floor, floor_streams = speed["floor_chars_per_second"], speed["floor_streams_chars_per_second"]
    rows = [
        ("floor: the step's matrix products alone, 1 stream", floor, floor),
        ("stateful OneStep, 1 stream", speed["stateful_chars_per_second"], floor),
        (f"window: the same step re-reading {window} chars, 1 stream", speed["window_chars_per_second"], floor),
        (f"naive: model.predict on the last {window} chars, 1 stream", speed["naive_chars_per_second"], floor),
        (f"floor, {streams} streams", floor_streams, floor_streams),
        (f"stateful OneStep, {streams} streams (all streams)", speed["stateful_streams_chars_per_second"],
         floor_streams),
    ]
    print(f"\nGeneration speed, {result['machine']}, model val_loss {run.final('val_loss'):.3f}")
    print(f"{'method':<58} {'chars/s':>10} {'share of floor':>15}")
    for name, value, reference in rows:
        print(f"{name:<58} {value:>10,.1f} {value / reference:>15.1%}")
    print(f"\nstateful / window (what carrying the state saves, at most ~{window}): "
          f"{speed['stateful_vs_window']:,.1f}x")
    print(f"window / naive (the framework's per-call cost): {speed['window_vs_naive']:,.1f}x")
    print(f"stateful / naive: {speed['stateful_vs_naive']:,.0f}x")
    for key, label in (("stateful_share_of_floor", "1 stream"),
                       ("stateful_streams_share_of_floor", f"{streams} streams")):
        share = speed[key]
        print(f"OneStep, {label}: {share:.0%} of the floor "
              f"({'meets' if share >= 0.5 else 'misses'} the 50 % target)")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {arguments.json}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
