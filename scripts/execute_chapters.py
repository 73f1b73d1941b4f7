"""Execute the book's chapters two at a time into Jupyter Book's execution cache.

Jupyter Book 1 (myst-nb's ``cache`` mode) executes one chapter after the
other. Much of a chapter's time is single-threaded (starting the kernel,
importing TensorFlow, reading and tokenising the data, fitting scikit-learn
baselines, drawing figures), so on a 2-core machine two chapters at once
finish sooner than two in a row. This script does what myst-nb does for each
chapter that has no cache record yet (read it with myst-nb's own reader,
execute it with jupyter-cache's ``single_nb_execution`` in the chapter's
folder, store it with its execution time), only with two workers. The
``jupyter-book build`` that follows then finds every chapter in the cache and
executes none again.

A chapter that fails here is not cached: the build then executes it itself and
reports the error the usual way. Chapter 2 loads chapter 1's latent-32 model
from the trained-model cache, so it starts only after chapter 1 has finished.

Usage (scripts/build.sh runs it): ``python scripts/execute_chapters.py [--workers 2]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Chapters that must wait for another: chapter 2 reuses chapter 1's basic
#: autoencoder from the model cache instead of training it again.
AFTER = {"book/denoising-autoencoder": "book/autoencoder"}
#: The longest first, so that the two workers finish together.
ORDER = ["book/sentiment", "book/autoencoder", "book/text-generation", "book/denoising-autoencoder",
         "book/intro"]


def chapters() -> list[str]:
    """Every page of the table of contents that is a MyST notebook, longest first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [chapter["file"] for part in toc.get("parts", [])
                             for chapter in part.get("chapters", [])]
    notebooks = [name for name in files if (ROOT / f"{name}.md").is_file()
                 and "kernelspec:" in (ROOT / f"{name}.md").read_text().split("\n---", 1)[0]]
    return sorted(notebooks, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))


def read(name: str):
    """The chapter as myst-nb reads it (with the book's MyST extensions), so that the cache's hash
    matches the build's."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config.get("parse", {}).get("myst_enable_extensions", [])
    path = ROOT / f"{name}.md"
    return read_myst_markdown_notebook(path.read_text(), config=MdParserConfig(enable_extensions=set(extensions)),
                                       add_source_map=True, path=str(path))


def execute(name: str, timeout: int):
    """Execute one chapter in its own folder (myst-nb's "local CWD"); returns (name, notebook, seconds, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = read(name)
    result = single_nb_execution(notebook, cwd=str((ROOT / name).parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    return name, notebook, result.time, result.exc_string if result.err is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache")
    arguments = parser.parse_args()

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    timeout = int(config.get("execute", {}).get("timeout", 3600))
    cache = get_cache(str(arguments.cache))
    todo = []
    for name in chapters():
        try:
            cache.match_cache_notebook(read(name))
        except KeyError:
            todo.append(name)
    if not todo:
        return
    print(f"==> Executing {len(todo)} chapters, {arguments.workers} at a time: {', '.join(todo)}", flush=True)
    if arguments.workers > 1:
        # Each kernel's TensorFlow would start a thread per core for its
        # operations; two kernels then fight over the cores. Share them out
        # (the kernels inherit this environment; a variable already set wins).
        threads = str(max(1, (os.cpu_count() or 1) // arguments.workers))
        for variable in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(variable, threads)
    start = time.perf_counter()
    running: dict[Future, str] = {}
    # Fresh worker processes (spawn), not forks of this one and its open cache database.
    with ProcessPoolExecutor(max_workers=arguments.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        while todo or running:
            ready = [name for name in todo if AFTER.get(name) not in todo and AFTER.get(name) not in
                     running.values()]
            while ready and len(running) < arguments.workers:
                name = ready.pop(0)
                todo.remove(name)
                running[pool.submit(execute, name, timeout)] = name
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                del running[future]
                name, notebook, seconds, error = future.result()
                if error:
                    # Not cached: the book build executes it again and reports the error.
                    print(f"    {name} failed after {seconds:.0f} s; the build will report it", flush=True)
                    continue
                cache.cache_notebook_bundle(CacheBundleIn(notebook, str(ROOT / f"{name}.md"),
                                                          data={"execution_seconds": seconds}),
                                            check_validity=False, overwrite=True)
                print(f"    {name}: {seconds:.0f} s", flush=True)
    print(f"==> Executed in {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
