"""Profiles, seeds and folders: the settings every chapter shares.

The book runs in one of two *profiles*, picked with the ``DLBOOK_PROFILE``
environment variable:

``quick``
    Sized for a fast first build on two CPU cores (fewer epochs, a smaller
    model where the lesson stays true; the README's Performance section has
    the measured time). CI, Binder and first-time readers use it; it is the
    default.
``full``
    The published edition: enough epochs for converged, representative results.

Settings are read when they are used, never frozen at import: one process can
build in the quick profile, switch ``DLBOOK_PROFILE`` to full, and get the full
settings. A chapter module's profile-dependent constants (``autoencoders.EPOCHS``)
are looked up through :func:`profile_settings` on every access.

Folders come from environment variables too, with per-user defaults:
``DLBOOK_DATA`` (read datasets from this folder, never download),
``DLBOOK_CACHE`` (downloads and trained models) and ``DLBOOK_METRICS``
(where chapters write their headline numbers as JSON).
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

Profile = Literal["quick", "full"]
PROFILES: tuple[Profile, ...] = ("quick", "full")

#: The seed every chapter starts from, so that a rebuild gives the same numbers.
SEED = 42

T = TypeVar("T")


def profile() -> Profile:
    """Return the active profile, ``"quick"`` unless ``DLBOOK_PROFILE`` says otherwise.

    Raises:
        ValueError: if ``DLBOOK_PROFILE`` names an unknown profile.
    """
    value = os.environ.get("DLBOOK_PROFILE", "quick").strip().lower() or "quick"
    if value not in PROFILES:
        raise ValueError(
            f"DLBOOK_PROFILE={value!r} is not a profile; use one of {', '.join(PROFILES)}."
        )
    return value  # type: ignore[return-value]


def pick(quick: T, full: T) -> T:
    """Return ``quick`` or ``full`` depending on the active profile.

    Example:
        >>> epochs = pick(quick=3, full=50)
    """
    return full if profile() == "full" else quick


def profile_settings(module: str, table: Mapping[str, Mapping[str, Any]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) that reads profile-dependent constants when asked.

    Args:
        module: The module's ``__name__``, for the error message.
        table: Constant name -> ``{"quick": value, "full": value}``.

    Example:
        >>> _BY_PROFILE = {"EPOCHS": {"quick": 8, "full": 50}}
        >>> __getattr__ = profile_settings(__name__, _BY_PROFILE)

    ``module.EPOCHS`` then calls :func:`pick` on each access, so it always
    gives the active profile's value.
    """

    def __getattr__(name: str) -> Any:
        values = table.get(name)
        if values is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return pick(quick=values["quick"], full=values["full"])

    return __getattr__


def smoke_steps() -> int | None:
    """Training steps per run in a smoke test, from ``DLBOOK_SMOKE_STEPS``; ``None`` normally.

    Set by the Colab-like test before it runs the exercise solutions: each
    solution must run every line, not converge, so a model that is not in the
    cache trains one epoch of this many batches (see
    :func:`dlbook.training.fit_cached`).

    Raises:
        ValueError: if the variable is set but is not a positive whole number.
    """
    value = os.environ.get("DLBOOK_SMOKE_STEPS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"DLBOOK_SMOKE_STEPS={value!r} is not a positive whole number of steps.")
    return int(value)


def data_dir() -> Path | None:
    """The offline data folder named by ``DLBOOK_DATA``, or ``None`` if unset."""
    value = os.environ.get("DLBOOK_DATA", "").strip()
    return Path(value).expanduser().resolve() if value else None


def cache_dir() -> Path:
    """The cache folder for downloads and trained models.

    ``DLBOOK_CACHE`` if set; else, inside a checkout of the book (a folder
    with ``_config.yml`` and ``_toc.yml`` at or above the working folder),
    its ``_build/cache``, so that ``scripts/build.sh``, ``scripts/test.sh``,
    the chapters and the command line of one checkout share their trained
    models; else ``$XDG_CACHE_HOME/dlbook`` (``~/.cache/dlbook``), as in Colab.
    """
    value = os.environ.get("DLBOOK_CACHE", "").strip()
    if value:
        return Path(value).expanduser().resolve()
    root = book_root()
    if root is not None:
        return root / "_build" / "cache"
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base).expanduser().resolve() / "dlbook"


def book_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: cwd) holding ``_config.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def metrics_dir() -> Path:
    """Where chapters write their results records.

    ``DLBOOK_METRICS`` if set, else ``_build/metrics`` under the book root (so
    that a book build leaves them beside ``_build/html``), else
    ``./_build/metrics``.
    """
    value = os.environ.get("DLBOOK_METRICS", "").strip()
    if value:
        return Path(value).expanduser().resolve()
    root = book_root() or Path.cwd()
    return root / "_build" / "metrics"
