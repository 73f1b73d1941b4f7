"""Benchmark: the README's two commands compose, in any order, on a fresh clone.

Clones this repository's HEAD into a temporary folder and runs, one after the
other in that one checkout, ``scripts/build.sh``, ``scripts/test.sh``,
``scripts/test.sh`` and ``scripts/build.sh`` (build then test, test twice, test
then build). Every step runs to its end even when one before it failed;
each step's exit status and seconds are recorded. Prints a table, writes JSON
with ``--json``, and exits with 1 when any step failed.

The clone is what a new reader has: no ``_build``, an empty default model
cache (a temporary ``XDG_CACHE_HOME``, with ``DLBOOK_CACHE`` and
``DLBOOK_METRICS`` unset, as the README's commands assume), and ``DLBOOK_DATA``
passed through when it is set (offline datasets). It reuses this virtualenv
(``DLBOOK_VENV``), so that no step spends its time installing.

Usage::

    python benchmarks/compose.py [--steps build,test,test,build] [--profile quick]
                                 [--json results.json] [--logs DIR] [--keep DIR] [--dry-run]

The whole sequence takes about 30 minutes in the quick profile on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {"build": "scripts/build.sh", "test": "scripts/test.sh"}
DEFAULT_STEPS = ("build", "test", "test", "build")
#: Variables that would make the clone's run differ from a new reader's.
CLEARED = ("DLBOOK_CACHE", "DLBOOK_METRICS", "DLBOOK_REQUIRE_BOOK", "DLBOOK_RUN_NOTEBOOKS")


def steps_argument(value: str) -> list[str]:
    """``build,test,...`` -> the list of steps; anything else is a usage error."""
    steps = [step.strip() for step in value.split(",") if step.strip()]
    unknown = [step for step in steps if step not in SCRIPTS]
    if not steps or unknown:
        raise argparse.ArgumentTypeError(
            f"steps must be a comma-separated list of {' and '.join(SCRIPTS)}, got {value!r}")
    return steps


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=steps_argument, default=list(DEFAULT_STEPS),
                        help="comma-separated steps to run in order (default: build,test,test,build)")
    parser.add_argument("--profile", choices=("quick", "full"), default="quick",
                        help="DLBOOK_PROFILE for every step (default: quick, as test.sh forces anyway)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--logs", type=Path, default=None,
                        help="keep each step's output in this folder (default: only a failed step's tail is printed)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="clone into this new folder and keep it, instead of a temporary one")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and run nothing")
    arguments = parser.parse_args(argv)
    if arguments.keep is not None and arguments.keep.exists():
        parser.error(f"--keep {arguments.keep} already exists; give a new folder")
    if arguments.json is not None and not arguments.json.parent.is_dir():
        parser.error(f"--json {arguments.json}: the folder {arguments.json.parent} does not exist")
    return arguments


def environment_for(workspace: Path, profile: str) -> dict[str, str]:
    """The steps' environment: this one, minus the folders a new reader has not set."""
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment.update({
        "DLBOOK_PROFILE": profile,
        "DLBOOK_VENV": sys.prefix,
        # The default model cache (~/.cache/dlbook) of a new reader: empty.
        "XDG_CACHE_HOME": str(workspace / "xdg-cache"),
    })
    return environment


def run_step(index: int, step: str, clone: Path, environment: dict[str, str], logs: Path) -> dict[str, object]:
    log = logs / f"{index + 1}-{step}.log"
    start = time.perf_counter()
    with log.open("w") as output:
        status = subprocess.run(["bash", SCRIPTS[step]], cwd=clone, env=environment, stdout=output,
                                stderr=subprocess.STDOUT, check=False).returncode
    seconds = time.perf_counter() - start
    if status != 0:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        print(f"--- step {index + 1} ({step}) failed with status {status}; the end of its output:", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
    return {"step": index + 1, "command": f"bash {SCRIPTS[step]}", "status": status, "seconds": round(seconds, 1),
            "log": str(log)}


def print_table(results: dict[str, object]) -> None:
    print(f"README commands composed on a fresh clone ({results['profile']} profile), on {results['machine']}")
    print(f"  {'step':>4}  {'command':22s} {'status':>6}  {'seconds':>8}")
    for row in results["steps"]:
        print(f"  {row['step']:>4}  {row['command']:22s} {row['status']:>6}  {row['seconds']:>8.1f}")
    verdict = "all passed" if results["passed"] else "FAILED"
    print(f"  total {results['total_seconds']:.1f} s: {verdict}")


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    data = os.environ.get("DLBOOK_DATA", "").strip()
    plan = [f"bash {SCRIPTS[step]}" for step in arguments.steps]
    if arguments.dry_run:
        print(f"Would clone {ROOT} (HEAD) into {arguments.keep or 'a temporary folder'} and run, "
              f"with DLBOOK_PROFILE={arguments.profile}, DLBOOK_DATA={data or '(unset: downloads)'}, "
              f"DLBOOK_VENV={sys.prefix}, an empty default model cache:")
        for number, command in enumerate(plan, start=1):
            print(f"  {number}. {command}")
        if arguments.json:
            print(f"then write {arguments.json}")
        return 0
    if not data:
        print("note: DLBOOK_DATA is unset, every test.sh and build.sh downloads into the clone's cache",
              file=sys.stderr)

    from dlbook.notebook import machine_description

    with tempfile.TemporaryDirectory(prefix="dlbook-compose-") as temporary:
        workspace = Path(temporary)
        clone = arguments.keep.resolve() if arguments.keep else workspace / "dlbook"
        logs = arguments.logs.resolve() if arguments.logs else workspace / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True,
                              check=True).stdout.strip()
        environment = environment_for(workspace, arguments.profile)
        rows = []
        try:
            for index, step in enumerate(arguments.steps):
                print(f"==> step {index + 1}/{len(arguments.steps)}: bash {SCRIPTS[step]}", flush=True)
                rows.append(run_step(index, step, clone, environment, logs))
        finally:
            # scripts/env.sh installed the clone's package into this virtualenv
            # (editable); point it back at this checkout before the clone goes.
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)],
                           check=True, stdout=subprocess.DEVNULL)
        if not arguments.logs:
            for row in rows:
                row["log"] = None  # deleted with the temporary folder

    results = {
        "profile": arguments.profile,
        "commit": head,
        "data": "DLBOOK_DATA (offline)" if data else "downloaded",
        "machine": f"{machine_description()}, Python {platform.python_version()}",
        "steps": rows,
        "total_seconds": round(sum(row["seconds"] for row in rows), 1),
        "passed": all(row["status"] == 0 for row in rows),
    }
    print_table(results)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
