"""The command line: data commands, user errors, and no tracebacks."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dlbook import cli, tasks


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
#: A small sentiment model: well above chance on the test reviews, in seconds.
TINY_SENTIMENT = ["--train-size", "2000", "--epochs", "2"]


@pytest.mark.realdata
def test_generate_before_training_says_what_to_run(runner: CliRunner, real_data: Path) -> None:
    result = runner.invoke(cli.main, ["generate", "--length", "10", *TINY_TEXTGEN])
    assert result.exit_code == 1
    assert "No trained textgen model" in result.output
    assert "dlbook train textgen --units 16 --epochs 1 --train-chars 20000" in result.output


@pytest.mark.realdata
def test_train_then_generate_round_trip(runner: CliRunner, real_data: Path) -> None:
    from dlbook import data

    trained = runner.invoke(cli.main, ["train", "textgen", *TINY_TEXTGEN])
    assert trained.exit_code == 0, trained.output
    assert "val_loss:" in trained.output  # Keras' per-epoch progress
    assert "char-lstm-16: trained" in trained.output
    nats = float(trained.output.split("validation loss (nats per character):")[1].split()[0])
    bits = float(trained.output.split("validation loss (bits per character):")[1].split()[0])
    assert bits == pytest.approx(nats / math.log(2), abs=1e-4)
    test_nats = float(trained.output.split("test loss (nats per character):")[1].split()[0])
    test_bits = float(trained.output.split("test loss (bits per character):")[1].split()[0])
    assert test_bits == pytest.approx(test_nats / math.log(2), abs=1e-4) and test_nats != nats
    # Better than a uniform guess over the play's characters.
    assert bits < math.log2(len(set(data.load_text("shakespeare"))))

    again = runner.invoke(cli.main, ["train", "textgen", *TINY_TEXTGEN])
    assert again.exit_code == 0 and "loaded from the training cache" in again.output
    assert "val_loss:" not in again.output

    arguments = ["generate", "--prompt", "ROMEO:", "--length", "80", "--temperature", "0.8", *TINY_TEXTGEN]
    first = runner.invoke(cli.main, arguments)
    assert first.exit_code == 0, first.output
    text = first.stdout.removesuffix("\n")  # only the line end echo adds: a sample may end in a newline
    assert text.startswith("ROMEO:") and len(text) == len("ROMEO:") + 80
    assert runner.invoke(cli.main, arguments).stdout == first.stdout  # seeded: reproducible
    other_seed = runner.invoke(cli.main, [*arguments, "--seed", "7"])
    assert other_seed.exit_code == 0 and other_seed.stdout != first.stdout

    samples = runner.invoke(cli.main, ["generate", "--samples", "3", "--length", "20", "--greedy", *TINY_TEXTGEN])
    assert samples.exit_code == 0 and samples.stdout.count("--- sample") == 3
    # Greedy decoding has no randomness: every sample is the same.
    bodies = [part.strip() for part in samples.stdout.split("--- sample")[1:]]
    assert len({body.split("---", 1)[-1] for body in bodies}) == 1

    unknown = runner.invoke(cli.main, ["generate", "--prompt", "ROMEO€", *TINY_TEXTGEN])
    assert unknown.exit_code == 2 and "€" in unknown.output and "--prompt" in unknown.output


@pytest.mark.realdata
def test_train_then_classify_round_trip(runner: CliRunner, real_data: Path, tmp_path: Path) -> None:
    from dlbook import sentiment

    trained = runner.invoke(cli.main, ["train", "sentiment", *TINY_SENTIMENT])
    assert trained.exit_code == 0, trained.output
    assert "val_loss:" in trained.output and "sentiment-lstm: trained" in trained.output
    accuracy = float(trained.output.split("test accuracy at threshold 0.5:")[1].split("%")[0]) / 100

    # The summary's test accuracy, checked by classifying the same test reviews
    # through the command line and counting the labels it prints.
    # As arguments, exactly as the evaluation read them: a file would split the
    # reviews that hold U+0085, a line break to Python.
    splits = sentiment.load_imdb_splits(2000)
    scored = runner.invoke(cli.main, ["sentiment", *TINY_SENTIMENT, "--", *splits.test_texts])
    assert scored.exit_code == 0, scored.output
    rows = re.findall(r"^\d\.\d{3}\t(positive|negative)\t", scored.stdout, flags=re.MULTILINE)
    labels = np.array([label == "positive" for label in rows])
    assert len(labels) == len(splits.test_labels)
    # float32 (Keras) and float64 (the NumPy reader) may part on a review at 0.5.
    assert np.mean(labels == splits.test_labels) == pytest.approx(accuracy, abs=2 / len(labels))
    assert accuracy > 0.6  # chance is 0.5: the model learned something

    reviews = ["A moving, beautifully acted film.", "Dull, lifeless and far too long."]
    by_argument = runner.invoke(cli.main, ["sentiment", *reviews, *TINY_SENTIMENT])
    assert by_argument.exit_code == 0, by_argument.output
    rows = [line.split("\t") for line in by_argument.stdout.splitlines()]
    assert [row[2] for row in rows] == reviews
    probabilities = [float(row[0]) for row in rows]
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    for probability, (_, label, _) in zip(probabilities, rows):  # 0.500 is printed for 0.4996 too
        assert label == ("positive" if probability > 0.5 else "negative") or probability == 0.5

    # Without the saved vocabulary, Keras answers (and saves it again): the same numbers.
    saved = list((Path(os.environ["DLBOOK_CACHE"]) / "models").glob("sentiment-lstm-*/vectorizer-*.json"))
    assert len(saved) == 1
    saved[0].unlink()
    # In a fresh process, as a reader runs it: the Keras model's run prints no
    # TensorFlow noise either (oneDNN's note on the mask, printed as an error).
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TF_")}
    by_keras = subprocess.run([sys.executable, "-m", "dlbook", "sentiment", *reviews, *TINY_SENTIMENT],
                              capture_output=True, text=True, env=environment, timeout=600)
    assert by_keras.returncode == 0, by_keras.stderr
    assert [float(line.split("\t")[0]) for line in by_keras.stdout.splitlines()] == pytest.approx(
        probabilities, abs=1.5e-3)
    assert [line for line in by_keras.stderr.splitlines() if NOISE.search(line)] == []
    assert saved[0].is_file()

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
    result = runner.invoke(cli.main, ["train", task, "--latent", "8", "--train-size", "8192", "--epochs", "2"])
    assert result.exit_code == 0, result.output
    assert f"{'autoencoder' if task == 'autoencoder' else 'denoising-autoencoder'}-8: trained" in result.output
    if task == "denoising":
        noisy = float(result.output.split("test MSE of the noisy input:")[1].split()[0])
        denoised = float(result.output.split("test MSE after denoising:")[1].split()[0])
        assert 0 < denoised < noisy  # two short epochs already remove much of the noise (0.07 vs 0.12)
    else:
        assert 0 < float(result.output.split("test binary cross-entropy per pixel:")[1].split()[0]) < 1


# ------------------------------------------------------- a reader's own text

def _text_file(folder: Path, characters: int, name: str = "My Prince.txt") -> Path:
    """A text of about `characters` characters: seeded random sentences from a small word list."""
    rng = np.random.default_rng(0)
    words = "the little prince said draw me a sheep and the fox said tame me".split()
    lines = ["Once upon a time"]
    while sum(len(line) + 1 for line in lines) < characters:
        lines.append(" ".join(rng.choice(words, 9)))
    file = folder / name
    file.write_text("\n".join(lines)[:characters])
    return file


@pytest.mark.parametrize("case", ["missing", "folder", "empty", "blank", "nul", "latin-1", "too short"])
@pytest.mark.parametrize("command", ["train", "generate"])
def test_text_file_refusals(runner: CliRunner, tmp_path: Path, case: str, command: str) -> None:
    file = tmp_path / "book.txt"
    expected = {"missing": "does not exist", "folder": "is a folder", "empty": "is empty", "blank": "is empty",
                "nul": "is a binary file", "latin-1": "is not UTF-8", "too short": "is too short"}[case]
    if case == "folder":
        file.mkdir()
    elif case == "empty":
        file.write_bytes(b"")
    elif case == "blank":
        file.write_text(" \n\t\n")
    elif case == "nul":
        file.write_bytes(b"text with a NUL\x00 byte, " * 400)
    elif case == "latin-1":
        file.write_bytes("caf\u00e9 au lait, ".encode("latin-1") * 800)
    elif case == "too short":
        file = _text_file(tmp_path, tasks.minimum_text_length() - 1)
    args = ["train", "textgen"] if command == "train" else ["generate"]
    result = runner.invoke(cli.main, [*args, "--text", str(file)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], result.output
    assert str(file) in lines[0] and "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_minimum_text_length_is_one_training_batch(tmp_path: Path) -> None:
    from dlbook import textgen

    shortest = tasks.minimum_text_length()
    text = tasks.read_training_text(_text_file(tmp_path, shortest))
    assert len(text) == shortest
    vocabulary = textgen.CharVocabulary.from_text(text)
    train_ids, validation_ids, test_ids = textgen.encode_splits(text, vocabulary)
    training_batches = list(textgen.make_dataset(train_ids, shuffle=True))
    assert len(training_batches) == 1 and len(list(textgen.make_dataset(validation_ids))) >= 1
    assert len(list(textgen.make_dataset(test_ids))) >= 1
    with pytest.raises(Exception, match="too short"):
        tasks.read_training_text(_text_file(tmp_path, shortest - 1, "shorter.txt"))
    with pytest.raises(Exception, match="too few"):
        tasks.read_training_text(_text_file(tmp_path, 20_000, "long.txt"), train_chars=shortest // 2)


def test_corpus_and_text_together_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    file = _text_file(tmp_path, 10_000)
    result = runner.invoke(cli.main, ["train", "textgen", "--corpus", "sonnets", "--text", str(file)])
    assert result.exit_code == 2 and "not both" in result.output


def test_seed_is_the_random_seed_and_says_where_the_prompt_went(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["generate", "--seed", "ROMEO:"])
    assert result.exit_code == 2 and "--prompt" in result.output and "random seed" in result.output
    help_text = runner.invoke(cli.main, ["generate", "--help"]).output
    assert "--prompt" in help_text and "--random-seed" not in help_text


def test_summary_labels_are_distinct() -> None:
    labels = [label for label, _ in cli._METRIC_LABELS.values()]
    assert len(set(labels)) == len(labels)


#: TensorFlow's start-up lines, none of which any command may print.
NOISE = re.compile(r"absl::InitializeLog|oneDNN|cpu_feature_guard|cuda|TensorRT|rebuild TensorFlow", re.IGNORECASE)


def test_text_file_round_trip_in_a_fresh_process_prints_no_tensorflow_noise(tmp_path: Path) -> None:
    # As a reader runs it: a new process, no TF_ variable set (importing
    # dlbook in this test process must not have set one either).
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TF_")}
    file = _text_file(tmp_path, 18_000)  # enough for one batch of windows and the held-out tenth
    options = ["--text", str(file), "--units", "4", "--epochs", "1"]

    def dlbook(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "dlbook", *args], capture_output=True, text=True,
                                env=environment, cwd=tmp_path, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        noise = [line for line in (result.stdout + result.stderr).splitlines() if NOISE.search(line)]
        assert noise == [] and "Traceback" not in result.stderr
        return result

    trained = dlbook("train", "textgen", *options)
    assert "char-lstm-4-my-prince: trained" in trained.stdout
    entries = list((Path(environment["DLBOOK_CACHE"]) / "models").glob("char-lstm-4-my-prince-*"))
    assert len(entries) == 1
    assert "loaded from the training cache" in dlbook("train", "textgen", *options).stdout

    generated = dlbook("generate", *options, "--length", "40")
    text = generated.stdout.removesuffix("\n")  # only the line end echo adds: a sample may end in a newline
    assert text.startswith("Once upon a time") and len(text) == len("Once upon a time") + 40
    assert set(text) <= set(file.read_text())
    assert "char-lstm-4-my-prince" in generated.stderr

    # Another text (here: the same one with its last line dropped) is another model.
    other = tmp_path / "other.txt"
    other.write_text(file.read_text().rsplit("\n", 1)[0])
    refused = subprocess.run([sys.executable, "-m", "dlbook", "generate", "--text", str(other), *options[2:]],
                             capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=300)
    assert refused.returncode == 1 and "No trained textgen model" in refused.stderr
    assert f"dlbook train textgen --text {other}" in refused.stderr


def test_tensorflow_noise_is_held_back_and_everything_else_passes(capfd: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    lines = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1795917881.226792 6254 port.cc:153] oneDNN custom operations are on.\n",
        "E0000 cuda_dnn.cc:8310] Unable to register cuDNN factory: one has already been registered\n",
        "E0000 some_op.cc:12] A real error the reader must see\n",
    ]
    with cli._without_tensorflow_noise():
        for line in lines:
            os.write(2, line.encode())
    assert capfd.readouterr().err == lines[-1]
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")  # the reader asked for every log line
    with cli._without_tensorflow_noise():
        os.write(2, lines[0].encode())
    assert capfd.readouterr().err == lines[0]


# ------------------------------------------------- sentiment without TensorFlow

#: Texts that probe every step of the vectorizer: HTML breaks, case outside
#: ASCII, punctuation, whitespace TensorFlow does not split on, unknown words,
#: nothing at all, and more tokens than a review keeps.
TRICKY_REVIEWS = [
    "A moving, beautifully acted film.<br /><br />Loved it!",
    "ÉCOLE Straße ÀB don't--stop 10/10 (really)",
    "a\xa0b c\u2003d e\x1cf tab\there new\nline v\x0bf\x0cr\r",
    "",
    "...!!!",
    "zzz qqq unknown words [UNK]",
    " ".join(["dull"] * 120 + ["great"] * 100),
]


def _tiny_sentiment_model(texts: list[str]):  # type: ignore[no-untyped-def]
    import keras

    from dlbook import sentiment
    from dlbook.recipes import sentiment as recipe

    vectorizer = sentiment.build_vectorizer(texts, vocab_size=40)
    keras.utils.set_random_seed(0)
    model = recipe.build_model(40)
    # Larger weights than at initialisation spread the probabilities apart,
    # so a wrong gate or a wrong mask shows.
    model.set_weights([weight * 4 for weight in model.get_weights()])
    return model, vectorizer


def test_sentiment_reader_matches_keras(tmp_path: Path) -> None:
    from dlbook import sentiment

    texts = TRICKY_REVIEWS + ["the film was great and moving", "the plot was dull and far too long"] * 3
    model, vectorizer = _tiny_sentiment_model(texts)
    model.save_weights(tmp_path / "model.weights.h5")
    vocabulary_file = tmp_path / "vectorizer.json"
    vocabulary_file.write_text(json.dumps({
        "vocabulary": vectorizer.get_vocabulary(), "sequence_length": sentiment.SEQUENCE_LENGTH,
        "truncating": sentiment.TRUNCATING}))
    reader = tasks.SentimentReader.from_entry(tmp_path, vocabulary_file)
    np.testing.assert_array_equal(reader.token_ids(texts), sentiment.vectorize(vectorizer, texts))
    expected = sentiment.predict_sentiment(model, vectorizer, texts)
    assert np.ptp(expected) > 0.3
    np.testing.assert_allclose(reader.predict(texts), expected, atol=1e-5)


def test_sentiment_reader_is_found_only_for_the_same_settings_and_data(offline: Path) -> None:
    from dlbook import training

    model, vectorizer = _tiny_sentiment_model(TRICKY_REVIEWS)
    archive = offline / "aclImdb_v1.tar.gz"
    archive.write_bytes(b"stands in for the archive")
    entry = training.models_dir() / "sentiment-lstm-0123456789abcdef"
    entry.mkdir(parents=True)
    model.save_weights(entry / "model.weights.h5")
    (entry / "run.json").write_text(json.dumps({"key": "k"}))
    run = training.TrainingRun(name="sentiment-lstm", history={}, seconds=1.0, cached=False, key="k", path=entry)
    assert tasks.sentiment_reader(epochs=1, train_size=300) is None

    tasks._save_reader_vocabulary(run, model, vectorizer, epochs=1, train_size=300)
    reader = tasks.sentiment_reader(epochs=1, train_size=300)
    assert reader is not None
    np.testing.assert_allclose(reader.predict(TRICKY_REVIEWS[:2]), [
        float(p) for p in model.predict(reader.token_ids(TRICKY_REVIEWS[:2]), verbose=0).ravel()], atol=1e-5)
    assert tasks.sentiment_reader(epochs=2, train_size=300) is None  # other settings: another model
    os.utime(archive, ns=(1, 1))  # the data changed: the model must be found the slow way
    assert tasks.sentiment_reader(epochs=1, train_size=300) is None
