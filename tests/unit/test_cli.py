"""The command line: data commands, user errors, and no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlbook import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_everywhere(runner: CliRunner) -> None:
    for args in ([], ["data"], ["data", "fetch"], ["data", "verify"], ["build"]):
        result = runner.invoke(cli.main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.realdata
def test_verify_real_data_folder(runner: CliRunner, real_data: Path) -> None:
    result = runner.invoke(cli.main, ["data", "verify", "--data", str(real_data)])
    assert result.exit_code == 0, result.output
    for name in ("mnist", "imdb", "shakespeare", "sonnets"):
        assert f"{name}" in result.output
    assert result.output.count(" ok ") == 4


def test_verify_reports_missing_and_corrupt_files(runner: CliRunner, offline: Path) -> None:
    (offline / "shakespeare.txt").write_text("truncated")
    result = runner.invoke(cli.main, ["data", "verify", "shakespeare", "sonnets"])
    assert result.exit_code == 1
    lines = {line.split()[0]: line.split()[1] for line in result.output.splitlines()[1:]}
    assert lines == {"shakespeare": "corrupt", "sonnets": "missing"}


def test_verify_never_downloads(runner: CliRunner, online: None) -> None:
    result = runner.invoke(cli.main, ["data", "verify", "mnist"])
    assert result.exit_code == 1 and "not downloaded yet" in result.output


def test_fetch_offline_checks_the_folder(runner: CliRunner, offline: Path) -> None:
    result = runner.invoke(cli.main, ["data", "fetch", "mnist"])
    assert result.exit_code == 1 and "mnist.npz" in result.output


def test_unknown_dataset_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["data", "verify", "cifar"])
    assert result.exit_code == 2 and "cifar" in result.output


def test_module_entry_point_has_no_traceback_for_bad_profile(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dlbook", "build", "--profile", "fast"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "fast" in result.stderr


def test_build_outside_the_repository(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli.main, ["build"])
    assert result.exit_code == 1 and "No book found" in result.output


def test_fetch_downloads_once_into_the_cache(runner: CliRunner, online: None, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import hashlib

    from dlbook import data

    source = tmp_path / "served.txt"
    source.write_text("First Citizen:\nBefore we proceed any further, hear me speak.\n")
    digest = "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()
    monkeypatch.setitem(data.DATASETS, "shakespeare", dataclasses.replace(
        data.DATASETS["shakespeare"], url=source.as_uri(), url_digest=digest, known_digests=(digest,)))
    result = runner.invoke(cli.main, ["data", "fetch", "shakespeare"])
    assert result.exit_code == 0, result.output
    assert data.dataset_path("shakespeare").read_bytes() == source.read_bytes()
    source.unlink()  # a second fetch finds the cached file and does not download
    again = runner.invoke(cli.main, ["data", "fetch", "shakespeare"])
    assert again.exit_code == 0 and "shakespeare  ok" in again.output
