"""Unit-test fixtures: an isolated cache, metrics folder and profile for every test, and data folders.

Only for tests/unit: the notebook and site checks must see the real environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The real datasets, when the run was given them (CI sets DLBOOK_DATA).
REAL_DATA = os.environ.get("DLBOOK_DATA", "").strip()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own empty cache and metrics folder, and the quick profile."""
    root = tmp_path_factory.mktemp("dlbook")
    monkeypatch.setenv("DLBOOK_CACHE", str(root / "cache"))
    monkeypatch.setenv("DLBOOK_METRICS", str(root / "metrics"))
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    return root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the ``real_data`` fixture ``realdata``: the one place
    that says so (``-m "not realdata"`` selects the tests that need no datasets)."""
    for item in items:
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


@pytest.fixture
def real_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real data folder; tests that use it are skipped when DLBOOK_DATA is unset.

    Using this fixture is what marks a test ``realdata`` (see above): no
    ``@pytest.mark.realdata`` beside it.
    """
    if not REAL_DATA:
        pytest.skip("DLBOOK_DATA is not set: the real datasets are not available")
    monkeypatch.setenv("DLBOOK_DATA", REAL_DATA)
    return Path(REAL_DATA)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty offline data folder (DLBOOK_DATA) for fixture files."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv("DLBOOK_DATA", str(folder))
    return folder


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DLBOOK_DATA: loaders use the (empty, per-test) cache and download."""
    monkeypatch.delenv("DLBOOK_DATA", raising=False)
