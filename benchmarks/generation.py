"""Benchmark: characters per second of the stateful generator against the naive method.

Chapter 3 (text generation) generates text with ``dlbook.textgen.OneStep``,
which carries the LSTM state ``(h, c)`` from one character to the next. The
naive method calls ``model.predict`` on the last ``window`` characters for
every new character. This script trains the chapter's model (or loads it from
the training cache, where the chapter's build left it), runs both methods on
it, one stream each, and prints their speeds and the ratio.

Usage::

    python benchmarks/generation.py [--profile quick|full] [--json out.json]

The target is at least 5,000 characters per second for one stream on two CPU
cores, and at least 100 times the naive method. Timings depend on the load of
the machine: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("quick", "full"), default=None,
                        help="Which profile's model to use (default: DLBOOK_PROFILE or quick).")
    parser.add_argument("--json", metavar="PATH", help="Also write the results to this JSON file.")
    parser.add_argument("--stateful-chars", type=int, default=5000,
                        help="Characters per stateful run (default: 5000).")
    parser.add_argument("--naive-chars", type=int, default=100,
                        help="Characters per naive run (default: 100).")
    parser.add_argument("--streams", type=int, default=16,
                        help="Streams for the extra batched stateful run (default: 16).")
    parser.add_argument("--repeats", type=int, default=3, help="Runs per method; the best counts (default: 3).")
    parser.add_argument("--seed-text", default="ROMEO:\n", help="The seed text (default: 'ROMEO:\\n').")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    if arguments.profile:
        # The profile must be set before dlbook.textgen picks its constants.
        os.environ["DLBOOK_PROFILE"] = arguments.profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import numpy as np

    from dlbook import config, notebook, tasks, textgen

    notebook.setup()

    # The chapter's model, the same one its build left in the training cache.
    trained = tasks.textgen(evaluate=False)
    model, vocabulary, run = trained.model, trained.extras["vocabulary"], trained.run
    print(run)

    seed_text, window = arguments.seed_text, textgen.SEQUENCE_LENGTH
    generator = textgen.OneStep(model, vocabulary)
    # Warm up both methods (first predict call, first use of the BLAS threads).
    generator.generate(seed_text, 50)
    textgen.naive_generate(model, vocabulary, seed_text, 3, window=window)

    def best(function, repeats):
        return max(function() for _ in range(repeats))

    stateful = best(lambda: generator.generate(seed_text, arguments.stateful_chars).characters_per_second,
                    arguments.repeats)
    batched = best(lambda: generator.generate(seed_text, arguments.stateful_chars // 4,
                                              streams=arguments.streams).characters_per_second,
                   arguments.repeats)
    naive = best(lambda: arguments.naive_chars / textgen.naive_generate(
        model, vocabulary, seed_text, arguments.naive_chars, window=window)[1], arguments.repeats)

    # Where the naive method's time goes: the same window through a direct
    # model call, without predict()'s per-call setup.
    def direct_call() -> float:
        ids = list(vocabulary.encode(seed_text))
        rng = np.random.default_rng(config.SEED)
        start = time.perf_counter()
        for _ in range(arguments.naive_chars):
            logits = np.asarray(model(np.array([ids[-window:]], dtype=np.int32), training=False))[0, -1]
            ids.append(int(textgen.sample_next(logits, 1.0, rng)))
        return arguments.naive_chars / (time.perf_counter() - start)

    direct = best(direct_call, arguments.repeats)

    result = {
        "profile": config.profile(),
        "model": {"units": textgen.UNITS, "embedding_dim": textgen.EMBEDDING_DIM,
                  "vocab_size": vocabulary.size, "val_loss": run.final("val_loss"),
                  "cached": run.cached, "training_seconds": run.seconds},
        "machine": notebook.machine_description(load_average=True),
        "window": window,
        "stateful_chars_per_second": stateful,
        f"stateful_{arguments.streams}_streams_chars_per_second": batched,
        "naive_predict_chars_per_second": naive,
        "naive_direct_call_chars_per_second": direct,
        "speedup_vs_predict": stateful / naive,
        "speedup_vs_direct_call": stateful / direct,
        "targets": {"stateful_chars_per_second": 5000, "speedup_vs_predict": 100},
    }

    print(f"\nGeneration speed, {result['machine']}, model val_loss {run.final('val_loss'):.3f}")
    print(f"{'method':<52} {'chars/s':>10}")
    print(f"{'stateful OneStep, 1 stream':<52} {stateful:>10,.0f}")
    print(f"{f'stateful OneStep, {arguments.streams} streams (all streams)':<52} {batched:>10,.0f}")
    print(f"{f'naive: model.predict on the last {window} chars':<52} {naive:>10,.1f}")
    print(f"{f'naive: model(x) on the last {window} chars':<52} {direct:>10,.1f}")
    print(f"\nstateful / naive predict: {stateful / naive:,.0f}x (target >= 100x)")
    print(f"stateful / naive model(x): {stateful / direct:,.0f}x")
    print(f"stateful, 1 stream: {stateful:,.0f} chars/s "
          f"({'meets' if stateful >= 5000 else 'misses'} the 5,000 chars/s target)")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {arguments.json}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
