"""The ``dlbook`` command line: data, training, generation, classification, and the book.

Run ``python -m dlbook --help`` (or ``dlbook --help`` once installed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

import dlbook
from dlbook import config

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


@data.command("fetch")
@click.argument("names", nargs=-1, type=click.Choice(["mnist", "imdb", "shakespeare", "sonnets"]))
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


@data.command("verify")
@click.argument("names", nargs=-1, type=click.Choice(["mnist", "imdb", "shakespeare", "sonnets"]))
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


# ---------------------------------------------------------------------- build

@main.command()
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
    """Entry point that turns user errors into messages, never tracebacks."""
    try:
        main(standalone_mode=True)
    except ValueError as error:  # invalid settings such as DLBOOK_PROFILE=fast
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    run()
