"""Benchmark: how long the book takes to build, cold and warm, chapter by chapter.

Clones this repository's HEAD into a temporary folder and builds it three times
with ``scripts/build.sh`` (reusing the current virtualenv):

1. **cold**: empty execution cache and empty trained-model cache (everything
   trains);
2. **warm**: the same folder again (Jupyter Book's execution cache is warm,
   nothing executes);
3. **from the model cache**: execution cache emptied, trained-model cache
   warm (every chapter executes, nothing trains).

Then it runs every chapter's notebook once more in a fresh kernel (from the
model cache, as ``scripts/test.sh`` does) to measure each kernel's peak
memory.

Machines of one size differ up to 4x in speed, and a shared machine slows
down under load, so the cold build is recorded beside a **speed probe** timed
in the same run, just before and just after it: chapter 3's matrix-vector
floor on one core (:func:`probe_seconds`). The build's time in probe
units (cold seconds / probe seconds) tells a slow build from a slow machine,
and the quick profile's target is stated in those units
(:data:`QUICK_TARGET_PROBES`). Prints a table and writes JSON. Per-chapter execution times come
from the execution cache's records.

With ``--record PATH`` it also writes the full-profile record (what
``scripts/record_full_build.py`` writes) from the cold build's metrics, inside
the clone, so the record names the commit that was built. The per-notebook
peak memory is measured in the quick profile only (the budget is Binder's
2 GB for a reader's first run); ``--profile full`` skips it.

Usage::

    python benchmarks/book_build.py [--profile quick|full] [--json results.json] [--record full_profile.json]
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

from dlbook.notebook import machine_description

ROOT = Path(__file__).resolve().parents[1]

#: The probe: chapter 3's matrix-vector floor (dlbook.generation_timing.floor_speed),
#: this many steps of the quick model's two products, a (1 x 128) vector times its
#: recurrent (128 x 512) and its output (128 x 65) matrices, float32, one thread.
#: Small products on one core are what the book build is bound by (short LSTM
#: steps, Python, TensorFlow's start), so the probe slows down with the build on a
#: slower or busier machine. (The previous probe, large matrix products on every
#: core, ran 2.4 times faster on one machine than on another where the build did
#: not; benchmarks/results/book_build-quick.json of 2026-12-02 holds it.)
PROBE_STEPS = 50_000
PROBE_PRODUCTS = ((128, 512), (128, 65))
#: The quick profile's target, in probe units: 8 minutes on a machine 4x slower
#: than the reference, that is 2 minutes on the reference, whose probe took
#: REFERENCE_PROBE_SECONDS (the 2-core x86_64 machine of CI's size this was
#: measured on, 2026-12-03, nothing else running: median of 5 runs, 0.22 to 0.26 s).
REFERENCE_PROBE_SECONDS = 0.25
QUICK_TARGET_PROBES = round(120 / REFERENCE_PROBE_SECONDS)


def probe_seconds(repeats: int = 3) -> float:
    """Seconds for :data:`PROBE_STEPS` steps of the matrix-vector floor (best of ``repeats``)."""
    from dlbook.generation_timing import floor_speed

    return PROBE_STEPS / floor_speed(PROBE_PRODUCTS, steps=PROBE_STEPS, repeats=repeats)


#: Each build's output, kept in this checkout (the clone is deleted): a failed build says why.
LOG = ROOT / "_build" / "benchmarks" / "book_build.log"


def build(folder: Path, environment: dict[str, str]) -> float:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"==> bash scripts/build.sh in {folder} (DLBOOK_PROFILE={environment.get('DLBOOK_PROFILE')})\n")
        log.flush()
        done = subprocess.run(["bash", "scripts/build.sh"], cwd=folder, env=environment, stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode:
        tail = LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        sys.exit("\n".join(tail) + f"\nbook_build.py: scripts/build.sh failed (exit {done.returncode}); "
                 f"its whole output is in {LOG}")
    return time.perf_counter() - start


def chapter_seconds(folder: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(folder / "_build" / ".jupyter_cache")
    return {Path(record.uri).stem: round(record.data.get("execution_seconds", float("nan")), 1)
            for record in cache.list_cache_records()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the trained models in this folder (default: a temporary one); it must start empty")
    parser.add_argument("--cold-only", action="store_true",
                        help="time the cold build only (no warm rebuild, no rebuild from the model cache, no memory)")
    parser.add_argument("--record", type=Path, default=None,
                        help="full profile: write the full-profile record of the cold build here")
    args = parser.parse_args()
    if args.record and args.profile != "full":
        parser.error("--record needs --profile full")
    if args.cache and args.cache.exists() and any(args.cache.iterdir()):
        parser.error(f"--cache {args.cache} is not empty: a cold build needs an empty model cache")
    if not os.environ.get("DLBOOK_DATA"):
        print("note: DLBOOK_DATA is unset, datasets are downloaded into the temporary cache", file=sys.stderr)

    LOG.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlbook-bench-") as temporary:
        folder = Path(temporary) / "dlbook"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(folder)], check=True)
        environment = {**os.environ, "DLBOOK_PROFILE": args.profile, "DLBOOK_VENV": sys.prefix,
                       "DLBOOK_CACHE": str(args.cache.resolve() if args.cache else Path(temporary) / "cache")}
        try:
            # Point the virtualenv at the clone first (scripts/env.sh installs the
            # checkout's package), so that the timed builds install nothing.
            subprocess.run(["bash", "-c", "source scripts/env.sh"], cwd=folder, env=environment, check=True,
                           stdout=subprocess.DEVNULL)
            commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, check=True, capture_output=True,
                                    text=True).stdout.strip()
            started = time.strftime("%Y-%m-%d")
            probe_before = probe_seconds()
            cold = build(folder, environment)
            probe_after = probe_seconds()
            per_chapter_cold = chapter_seconds(folder)
            if args.record:
                subprocess.run([sys.executable, "scripts/record_full_build.py", "--metrics", "_build/metrics",
                                "--out", str(args.record.resolve())], cwd=folder, env=environment, check=True)
            warm = from_models = None
            per_chapter_cached: dict[str, float] = {}
            memory: dict = {}
            if not args.cold_only:
                warm = build(folder, environment)
                shutil.rmtree(folder / "_build" / ".jupyter_cache")
                (folder / "_build" / ".execution-stamp").unlink()
                from_models = build(folder, environment)
                per_chapter_cached = chapter_seconds(folder)
            if args.profile == "quick" and not args.cold_only:
                # Peak memory: every chapter's notebook in a fresh kernel, from
                # the warm model cache, as scripts/test.sh runs them.
                subprocess.run([sys.executable, "-m", "pytest", "tests/notebooks", "-q"], cwd=folder, check=True,
                               env={**environment, "DLBOOK_RUN_NOTEBOOKS": "1",
                                    "DLBOOK_METRICS": str(folder / "_build" / "rebuild" / "metrics")},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                memory_file = folder / "_build" / "notebook-memory.json"
                memory = json.loads(memory_file.read_text()) if memory_file.exists() else {}
        finally:
            # The clone's build installed the clone's package into this
            # virtualenv (editable); point it back at this checkout before the
            # clone is deleted.
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
                           check=True, stdout=subprocess.DEVNULL)

    results = {
        "profile": args.profile,
        "date": started,
        "commit": commit,
        "machine": f"{machine_description()}, Python {platform.python_version()}",
        "cold_build_seconds": round(cold, 1),
        "probe": {"what": f"{PROBE_STEPS:,} steps of the matrix-vector floor, float32 (1 x 128) times {PROBE_PRODUCTS[0][0]} x {PROBE_PRODUCTS[0][1]} and {PROBE_PRODUCTS[1][0]} x {PROBE_PRODUCTS[1][1]}, one thread, best of 3",
                  "seconds_before": round(probe_before, 3), "seconds_after": round(probe_after, 3)},
        "cold_build_probes": round(cold / ((probe_before + probe_after) / 2)),
        "quick_target_probes": QUICK_TARGET_PROBES,
        "warm_rebuild_seconds": None if warm is None else round(warm, 1),
        "rebuild_from_model_cache_seconds": None if from_models is None else round(from_models, 1),
        "chapters": {
            name: {"execute_cold_seconds": per_chapter_cold.get(name),
                   "execute_from_model_cache_seconds": per_chapter_cached.get(name),
                   "peak_memory_mb": memory.get(name, {}).get("peak_mb")}
            for name in sorted(per_chapter_cold)
        },
    }
    print(f"Book build, {args.profile} profile, on {results['machine']}")
    print(f"  cold build (trains everything)     {cold:8.1f} s")
    print(f"  speed probe before / after         {probe_before:8.2f} / {probe_after:.2f} s")
    print(f"  cold build in probe units          {results['cold_build_probes']:8d}"
          + (f" (target for quick: at most {QUICK_TARGET_PROBES})" if args.profile == "quick" else ""))
    if warm is not None:
        print(f"  warm rebuild (nothing executes)    {warm:8.1f} s")
        print(f"  rebuild from the model cache       {from_models:8.1f} s")
    print(f"  {'chapter':24s} {'cold s':>8s} {'cached s':>9s} {'peak MB':>8s}")
    for name, row in results["chapters"].items():
        print(f"  {name:24s} {row['execute_cold_seconds']!s:>8s} {row['execute_from_model_cache_seconds']!s:>9s}"
              f" {row['peak_memory_mb']!s:>8s}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
