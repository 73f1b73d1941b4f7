"""Record what running each chapter costs, for the run box under every chapter's title.

Reads the per-chapter execution times of a *cold* build (empty model cache, so
every model trains, as in a reader's first run in Colab or Binder) from that
build's execution cache, and writes them into
``benchmarks/results/notebook_costs.json`` under the build's profile, with the
date, the commit and the machine. ``_ext/launch_notebooks.py`` shows them (the
current build's own profile is always shown from the build itself).

Usage, after a cold build of the profile to record::

    python benchmarks/notebook_costs.py [--build _build] [--profile quick|full]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

from book_build import chapter_seconds

from dlbook.notebook import machine_description

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "benchmarks" / "results" / "notebook_costs.json"

#: What a GPU would change, per chapter: reasoned from the measured times per
#: epoch (benchmarks/results/training-*.json); not measured on a GPU.
GPU = {
    "autoencoder": "No GPU needed: the dense models train in a few seconds per epoch on a CPU.",
    "denoising-autoencoder": "No GPU needed: the dense models train in a few seconds per epoch on a CPU.",
    "text-generation": "A GPU runtime shortens the full profile, whose time is almost all LSTM training "
                       "(Keras then uses the cuDNN kernel); the quick profile does not need one.",
    "sentiment": "A GPU runtime shortens the full profile, whose time is almost all LSTM training "
                 "(Keras then uses the cuDNN kernel); the quick profile does not need one.",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "_build", help="the cold build's output folder")
    parser.add_argument("--profile", choices=("quick", "full"), default=os.environ.get("DLBOOK_PROFILE", "quick"))
    arguments = parser.parse_args()

    seconds = {chapter: value for chapter, value in chapter_seconds(arguments.build.parent).items()
               if chapter != "intro"}
    record = json.loads(RECORD.read_text()) if RECORD.is_file() else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    record.setdefault("seconds", {})[arguments.profile] = seconds
    record.setdefault("measured", {})[arguments.profile] = {
        "date": time.strftime("%Y-%m-%d"), "commit": commit, "machine": machine_description(),
        "how": "execution time of each chapter in a cold build (every model trains)",
    }
    record["gpu"] = GPU
    RECORD.write_text(json.dumps(record, indent=2) + "\n")
    print(f"{arguments.profile} profile, seconds per chapter:")
    for chapter, value in seconds.items():
        print(f"  {chapter:24s} {value:8.1f}")
    print(f"written to {RECORD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
