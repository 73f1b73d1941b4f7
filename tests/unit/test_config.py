"""Profiles and folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlbook import config


def test_quick_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLBOOK_PROFILE", raising=False)
    assert config.profile() == "quick"
    assert config.pick(quick=1, full=2) == 1


def test_full_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", " Full ")
    assert config.profile() == "full"
    assert config.pick(quick=1, full=2) == 2


def test_unknown_profile_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_PROFILE", "fast")
    with pytest.raises(ValueError, match="quick, full"):
        config.profile()


def test_folders_follow_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLBOOK_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path / "d"))
    assert config.cache_dir() == tmp_path / "c"
    assert config.data_dir() == tmp_path / "d"
    monkeypatch.delenv("DLBOOK_DATA")
    monkeypatch.delenv("DLBOOK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # outside a checkout of the book, as in Colab
    assert config.data_dir() is None
    assert config.cache_dir() == tmp_path / "xdg" / "dlbook"


def test_a_checkout_keeps_its_models_in_its_own_build_folder(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    """build.sh, test.sh, the chapters and the command line of one checkout share one cache."""
    monkeypatch.delenv("DLBOOK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")  # where a chapter's kernel runs
    assert config.cache_dir() == tmp_path / "_build" / "cache"


def test_metrics_go_under_the_book_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLBOOK_METRICS")
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path / "book")
    assert config.book_root() == tmp_path
    assert config.metrics_dir() == tmp_path / "_build" / "metrics"
