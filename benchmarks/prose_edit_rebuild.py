"""Benchmark: what a one-word edit to a verdict sentence costs (issue 21: a sentence edit retrains nothing).

Exports this repository's HEAD into a temporary folder (``original``) and,
unless ``--skip-original``, builds it once in the quick profile against the
model cache ``--cache`` (default ``$DLBOOK_CACHE``), so that the cache holds
the models of the original code. Then it copies the folder (``edited``),
changes one word in a verdict sentence ("the non-linearity pays off" -> "the
non-linearity really pays off" in ``dlbook.prose.autoencoders.pca_smallest_verdict``) and

1. runs ``dlbook train autoencoder`` (quick profile) in the copy: the model
   must load from the cache, and no epoch may run;
2. rebuilds the copy's book from scratch of the execution cache (what
   ``scripts/build.sh`` does when ``dlbook.training.build_stamp()`` changes,
   as it does for a prose edit): every chapter executes, and every training
   run must come from the model cache. Its wall-clock time is the measurement
   (target: under 2 minutes on 2 cores, against 6 or more before the prose
   moved out of the training key).

Runs ``jupyter-book`` and ``python -m dlbook`` with the current interpreter;
the copy's ``src`` goes first on ``PYTHONPATH``. Prints a table and writes JSON.

Usage::

    python benchmarks/prose_edit_rebuild.py [--cache DIR] [--data DIR] [--skip-original] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROSE_FILE = Path("src/dlbook/prose/autoencoders.py")
OLD, NEW = "the non-linearity pays off.", "the non-linearity really pays off."


def environment(folder: Path, cache: Path, data: str | None) -> dict[str, str]:
    env = {**os.environ, "DLBOOK_PROFILE": "quick", "DLBOOK_CACHE": str(cache),
           "PYTHONPATH": os.pathsep.join([str(folder / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    if data:
        env["DLBOOK_DATA"] = data
    return env


def build(folder: Path, env: dict[str, str]) -> float:
    shutil.rmtree(folder / "_build", ignore_errors=True)  # the execution cache too: the stamp changed
    start = time.perf_counter()
    jupyter_book = shutil.which("jupyter-book") or str(Path(sys.executable).with_name("jupyter-book"))
    subprocess.run([jupyter_book, "build", ".", "--all", "-W", "-n", "--keep-going"],
                   cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def trained_in(folder: Path) -> dict[str, bool]:
    """Training run -> whether it came from the model cache, from every chapter's results record."""
    runs = {}
    for record in sorted((folder / "_build" / "metrics").glob("[!.]*.json")):
        for name, run in json.loads(record.read_text()).get("training", {}).items():
            runs[f"{record.stem}/{name}"] = bool(run["cached"])
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("DLBOOK_CACHE", Path.home() / ".cache/dlbook")))
    parser.add_argument("--data", default=os.environ.get("DLBOOK_DATA"))
    parser.add_argument("--skip-original", action="store_true",
                        help="the cache already holds the models of HEAD's code (a build of it ran)")
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dlbook-prose-edit-") as temporary:
        original, edited = Path(temporary) / "original", Path(temporary) / "edited"
        original.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(original)], input=archive, check=True)
        result: dict[str, object] = {"commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                                                capture_output=True, text=True).stdout.strip(),
                                     "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
                                     "date": time.strftime("%Y-%m-%d")}
        if not arguments.skip_original:
            result["original_build_seconds"] = round(build(original, environment(original, arguments.cache,
                                                                                  arguments.data)), 1)
        shutil.copytree(original, edited, ignore=shutil.ignore_patterns("_build"))
        prose = edited / PROSE_FILE
        text = prose.read_text()
        assert text.count(OLD) >= 1, f"{OLD!r} is not in {PROSE_FILE}"
        prose.write_text(text.replace(OLD, NEW))
        env = environment(edited, arguments.cache, arguments.data)

        start = time.perf_counter()
        train = subprocess.run([sys.executable, "-m", "dlbook", "train", "autoencoder"], cwd=edited, env=env,
                               capture_output=True, text=True)
        result["train_autoencoder_seconds"] = round(time.perf_counter() - start, 1)
        result["train_autoencoder_loaded_from_cache"] = "loaded from the training cache" in train.stdout
        result["train_autoencoder_epochs_run"] = train.stdout.count("Epoch ")
        result["train_autoencoder_output"] = train.stdout.strip().splitlines()[-6:]

        result["rebuild_seconds"] = round(build(edited, env), 1)
        runs = trained_in(edited)
        result["training_runs"] = len(runs)
        result["trained_in_rebuild"] = sorted(name for name, cached in runs.items() if not cached)
        page = (edited / "_build" / "html" / "book" / "autoencoder.html").read_text()
        # The edited branch is the one this build took when its sentence is on the page.
        result["edited_sentence_on_page"] = NEW in page

    print(f"commit {result['commit']}, {result['machine']}, quick profile")
    if "original_build_seconds" in result:
        print(f"build of the original code (warms the model cache): {result['original_build_seconds']} s")
    print(f"dlbook train autoencoder after the edit: {result['train_autoencoder_seconds']} s, "
          f"loaded from the cache: {result['train_autoencoder_loaded_from_cache']}, "
          f"epochs run: {result['train_autoencoder_epochs_run']}")
    print(f"quick rebuild after the edit (every chapter executes): {result['rebuild_seconds']} s, "
          f"{result['training_runs']} training runs, trained: {result['trained_in_rebuild'] or 'none'}")
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(result, indent=1) + "\n")
    ok = result["train_autoencoder_loaded_from_cache"] and not result["trained_in_rebuild"] \
        and result["train_autoencoder_epochs_run"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
