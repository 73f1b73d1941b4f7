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


# ------------------------------------------------------------ train and use

def test_help_for_every_task_command(runner: CliRunner) -> None:
    for args in (["train"], ["train", "autoencoder"], ["train", "denoising"], ["train", "textgen"],
                 ["train", "sentiment"], ["generate"], ["sentiment"]):
        result = runner.invoke(cli.main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, args
    assert "--temperature" in runner.invoke(cli.main, ["generate", "--help"]).output


def test_unknown_task_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["train", "gan"])
    assert result.exit_code == 2 and "gan" in result.output


@pytest.mark.parametrize("temperature", ["-0.5", "0", "inf", "nan", "warm"])
def test_bad_temperature_is_refused_before_any_work(runner: CliRunner, temperature: str) -> None:
    result = runner.invoke(cli.main, ["generate", "--temperature", temperature])
    assert result.exit_code == 2 and "--temperature" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", [["train", "autoencoder", "--latent", "0"],
                                  ["train", "textgen", "--epochs", "-1"],
                                  ["train", "denoising", "--noise", "-0.1"],
                                  ["generate", "--length", "0"],
                                  ["sentiment", "--threshold", "1.5", "fine"]])
def test_bad_numbers_are_usage_errors(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 2 and "Invalid value" in result.output


def test_sentiment_needs_some_reviews(runner: CliRunner, tmp_path: Path) -> None:
    unreadable = runner.invoke(cli.main, ["sentiment", "--file", str(tmp_path / "missing.txt")])
    assert unreadable.exit_code == 2 and "missing.txt" in unreadable.output
    binary = tmp_path / "reviews.bin"
    binary.write_bytes(b"\xff\xfe\x00 not text \x80")
    assert "not UTF-8" in runner.invoke(cli.main, ["sentiment", "--file", str(binary)]).output
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    result = runner.invoke(cli.main, ["sentiment", "--file", str(empty)])
    assert result.exit_code == 2 and "No reviews" in result.output
    both = runner.invoke(cli.main, ["sentiment", "--file", str(empty), "great"])
    assert both.exit_code == 2 and "not both" in both.output


def test_missing_data_is_one_clear_error(runner: CliRunner, offline: Path) -> None:
    result = runner.invoke(cli.main, ["train", "autoencoder", "--epochs", "1"])
    assert result.exit_code == 1
    assert "mnist.npz" in result.output and str(offline) in result.output
    assert "Traceback" not in result.output


def test_user_errors_print_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dlbook", "generate", "--temperature", "-1"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "positive, finite" in result.stderr


#: A tiny character model: seconds to train on two CPU cores.
TINY_TEXTGEN = ["--train-chars", "20000", "--units", "16", "--epochs", "1"]
#: A tiny sentiment model.
TINY_SENTIMENT = ["--train-size", "320", "--epochs", "1"]


@pytest.mark.realdata
def test_generate_before_training_says_what_to_run(runner: CliRunner, real_data: Path) -> None:
    result = runner.invoke(cli.main, ["generate", "--length", "10", *TINY_TEXTGEN])
    assert result.exit_code == 1
    assert "No trained textgen model" in result.output
    assert "dlbook train textgen --units 16 --epochs 1 --train-chars 20000" in result.output


@pytest.mark.realdata
def test_train_then_generate_round_trip(runner: CliRunner, real_data: Path) -> None:
    trained = runner.invoke(cli.main, ["train", "textgen", *TINY_TEXTGEN])
    assert trained.exit_code == 0, trained.output
    assert "val_loss:" in trained.output  # Keras' per-epoch progress
    assert "char-lstm-16: trained" in trained.output
    bits = float(trained.output.split("validation loss:")[2].split()[0])
    assert 0 < bits < 7.0  # Better than a uniform guess over ~65 characters (6.0 bits) is not guaranteed in one tiny epoch.

    again = runner.invoke(cli.main, ["train", "textgen", *TINY_TEXTGEN])
    assert again.exit_code == 0 and "loaded from the training cache" in again.output
    assert "val_loss:" not in again.output

    arguments = ["generate", "--seed", "ROMEO:", "--length", "80", "--temperature", "0.8", *TINY_TEXTGEN]
    first = runner.invoke(cli.main, arguments)
    assert first.exit_code == 0, first.output
    text = first.stdout.rstrip("\n")
    assert text.startswith("ROMEO:") and len(text) == len("ROMEO:") + 80
    assert runner.invoke(cli.main, arguments).stdout == first.stdout  # seeded: reproducible
    other_seed = runner.invoke(cli.main, [*arguments, "--random-seed", "7"])
    assert other_seed.exit_code == 0 and other_seed.stdout != first.stdout

    samples = runner.invoke(cli.main, ["generate", "--samples", "3", "--length", "20", "--greedy", *TINY_TEXTGEN])
    assert samples.exit_code == 0 and samples.stdout.count("--- sample") == 3
    # Greedy decoding has no randomness: every sample is the same.
    bodies = [part.strip() for part in samples.stdout.split("--- sample")[1:]]
    assert len({body.split("---", 1)[-1] for body in bodies}) == 1

    unknown = runner.invoke(cli.main, ["generate", "--seed", "ROMEO€", *TINY_TEXTGEN])
    assert unknown.exit_code == 2 and "€" in unknown.output


@pytest.mark.realdata
def test_train_then_classify_round_trip(runner: CliRunner, real_data: Path, tmp_path: Path) -> None:
    trained = runner.invoke(cli.main, ["train", "sentiment", *TINY_SENTIMENT])
    assert trained.exit_code == 0, trained.output
    assert "val_loss:" in trained.output and "sentiment-lstm: trained" in trained.output
    accuracy = float(trained.output.split("test accuracy at threshold 0.5:")[1].split("%")[0])
    assert 0.0 <= accuracy <= 100.0

    reviews = ["A moving, beautifully acted film.", "Dull, lifeless and far too long."]
    by_argument = runner.invoke(cli.main, ["sentiment", *reviews, *TINY_SENTIMENT])
    assert by_argument.exit_code == 0, by_argument.output
    rows = [line.split("\t") for line in by_argument.stdout.splitlines()]
    assert [row[2] for row in rows] == reviews
    probabilities = [float(row[0]) for row in rows]
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert [row[1] for row in rows] == ["positive" if p >= 0.5 else "negative" for p in probabilities]

    review_file = tmp_path / "reviews.txt"
    review_file.write_text("\n".join(reviews) + "\n\n")
    by_file = runner.invoke(cli.main, ["sentiment", "--file", str(review_file), *TINY_SENTIMENT])
    by_stdin = runner.invoke(cli.main, ["sentiment", *TINY_SENTIMENT], input="\n".join(reviews))
    assert by_file.stdout == by_stdin.stdout == by_argument.stdout

    everything_positive = runner.invoke(cli.main, ["sentiment", "--threshold", "0", *reviews, *TINY_SENTIMENT])
    assert [line.split("\t")[1] for line in everything_positive.stdout.splitlines()] == ["positive"] * 2

    untrained = runner.invoke(cli.main, ["sentiment", "fine", "--train-size", "321", "--epochs", "1"])
    assert untrained.exit_code == 1 and "dlbook train sentiment" in untrained.output


@pytest.mark.realdata
@pytest.mark.parametrize("task", ["autoencoder", "denoising"])
def test_train_autoencoders_reports_test_error(runner: CliRunner, real_data: Path, task: str) -> None:
    result = runner.invoke(cli.main, ["train", task, "--latent", "8", "--train-size", "1024", "--epochs", "1"])
    assert result.exit_code == 0, result.output
    assert f"{'autoencoder' if task == 'autoencoder' else 'denoising-autoencoder'}-8: trained" in result.output
    if task == "denoising":
        noisy = float(result.output.split("test MSE of the noisy input:")[1].split()[0])
        denoised = float(result.output.split("test MSE after denoising:")[1].split()[0])
        assert 0 < denoised and 0 < noisy
    else:
        assert 0 < float(result.output.split("test binary cross-entropy per pixel:")[1].split()[0]) < 1
