"""The data layer: fixture files the tests make, bad files, downloads, and the real datasets."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from dlbook import data
from dlbook.data import DataError

# ------------------------------------------------------------------ fixtures


def make_mnist(path: Path, n_train: int = 12, n_test: int = 4, **overrides: np.ndarray) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "y_train": np.arange(n_train, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "y_test": np.arange(n_test, dtype=np.uint8) % 10,
    }
    arrays.update(overrides)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez_compressed(path, **arrays)
    return path


REVIEWS = {
    "train/pos/0_9.txt": "A wonderful film.<br />Loved it.",
    "train/pos/1_7.txt": "Good acting, fine plot.",
    "train/neg/0_2.txt": "Dull and far too long.",
    "train/neg/3_1.txt": "The worst film of the year.",
    "test/pos/5_10.txt": "Brilliant — see it twice!",
    "test/neg/2_4.txt": "Not worth the ticket.",
}


def make_imdb(path: Path, reviews: dict[str, str] = REVIEWS) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in reviews.items():
            raw = text.encode("utf-8")
            info = tarfile.TarInfo(f"aclImdb/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * keep)])
    return path


def assert_helpful(error: pytest.ExceptionInfo[DataError], *fragments: str) -> None:
    """The message names the file and says what to do."""
    message = str(error.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "DLBOOK_DATA" in message or "Delete" in message


# --------------------------------------------------------------------- MNIST


def test_mnist_fixture_loads_in_keras_layout(tmp_path: Path) -> None:
    file = make_mnist(tmp_path / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = data.load_mnist(file)
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_train.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert x_test.shape == (4, 28, 28) and y_test.shape == (4,)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"x_train": np.zeros((3, 28, 27), np.uint8)}, "expected (n, 28, 28)"),
        ({"y_test": np.zeros(5, np.uint8)}, "y_test has shape"),
        ({"x_test": np.zeros((4, 28, 28), np.float32)}, "dtype float32"),
        ({"y_train": np.full(12, 11, np.uint8)}, "outside 0-9"),
        ({"y_test": None}, "lacks the array(s) y_test"),
    ],
)
def test_mnist_wrong_layout_is_one_clear_error(tmp_path: Path, overrides: dict, fragment: str) -> None:
    file = make_mnist(tmp_path / "mnist.npz", **overrides)
    with pytest.raises(DataError) as error:
        data.load_mnist(file)
    assert_helpful(error, str(file), fragment)


def test_mnist_truncated_or_not_a_zip(tmp_path: Path) -> None:
    truncated = truncate(make_mnist(tmp_path / "mnist.npz"))
    with pytest.raises(DataError) as error:
        data.load_mnist(truncated)
    assert_helpful(error, str(truncated), "truncated or corrupt")

    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip archive at all" * 10)
    with pytest.raises(DataError):
        data.load_mnist(garbage)


def test_missing_file_in_data_folder_names_file_and_folder(offline: Path) -> None:
    with pytest.raises(DataError) as error:
        data.load_mnist()
    assert_helpful(error, "mnist.npz", str(offline), "DLBOOK_DATA")


def test_data_folder_that_does_not_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DataError) as error:
        data.load_shakespeare()
    assert_helpful(error, str(tmp_path / "nowhere"), "not a folder")


def test_unknown_file_in_data_folder_fails_the_checksum(offline: Path) -> None:
    """A well-formed but different (e.g. truncated) file is never silently used."""
    make_mnist(offline / "mnist.npz")
    with pytest.raises(DataError) as error:
        data.load_mnist()
    assert_helpful(error, str(offline / "mnist.npz"), "checksum")


def test_data_folder_never_downloads(offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was touched")

    monkeypatch.setattr(data.urllib.request, "urlopen", no_network)
    with pytest.raises(DataError):
        data.load_imdb()


# ---------------------------------------------------------------------- IMDB


def test_imdb_from_archive_and_from_folder_agree(tmp_path: Path) -> None:
    archive = make_imdb(tmp_path / "aclImdb_v1.tar.gz")
    (train_texts, train_labels), (test_texts, test_labels) = data.load_imdb(archive)
    # Negative reviews first, then positive, each in review-id order.
    assert train_texts == [REVIEWS["train/neg/0_2.txt"], REVIEWS["train/neg/3_1.txt"],
                           REVIEWS["train/pos/0_9.txt"], REVIEWS["train/pos/1_7.txt"]]
    assert train_labels.tolist() == [0, 0, 1, 1] and train_labels.dtype == np.int64
    assert test_texts == [REVIEWS["test/neg/2_4.txt"], REVIEWS["test/pos/5_10.txt"]]
    assert test_labels.tolist() == [0, 1]

    with tarfile.open(archive) as opened:
        opened.extractall(tmp_path / "extracted", filter="data")
    from_folder = data.load_imdb(tmp_path / "extracted")
    assert from_folder[0][0] == train_texts and from_folder[1][0] == test_texts


def test_imdb_truncated_archive(tmp_path: Path) -> None:
    reviews = {f"train/{label}/{i}_{8 if label == 'pos' else 2}.txt": "x" * 4000 + str(i)
               for label in ("pos", "neg") for i in range(40)}
    reviews.update({"test/pos/0_8.txt": "good", "test/neg/0_1.txt": "bad"})
    archive = truncate(make_imdb(tmp_path / "aclImdb_v1.tar.gz", reviews), keep=0.6)
    with pytest.raises(DataError) as error:
        data.load_imdb(archive)
    assert_helpful(error, str(archive), "truncated or corrupt")


def test_imdb_wrong_layout(tmp_path: Path) -> None:
    no_test = {name: text for name, text in REVIEWS.items() if name.startswith("train/")}
    with pytest.raises(DataError) as error:
        data.load_imdb(make_imdb(tmp_path / "a.tar.gz", no_test))
    assert_helpful(error, "aclImdb/test/pos", "layout")

    mislabelled = {**REVIEWS, "train/pos/9_2.txt": "a 2-star review in the pos folder"}
    with pytest.raises(DataError) as error:
        data.load_imdb(make_imdb(tmp_path / "b.tar.gz", mislabelled))
    assert_helpful(error, "rating 2")


def test_imdb_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        data.load_imdb(tmp_path / "absent.tar.gz")
    assert_helpful(error, "absent.tar.gz", "does not exist")


# ---------------------------------------------------------------------- text


def test_text_is_returned_as_stored_with_unix_newlines(tmp_path: Path) -> None:
    file = tmp_path / "corpus.txt"
    file.write_bytes("First Citizen:\r\nBefore we proceed, hear me speak.\r\n".encode())
    assert data.load_shakespeare(file) == "First Citizen:\nBefore we proceed, hear me speak.\n"


@pytest.mark.parametrize(("content", "fragment"), [(b"", "empty"), (b"  \n", "empty"), (b"\xff\xfe\xfa", "UTF-8")])
def test_bad_text_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    file = tmp_path / "sonnets.txt"
    file.write_bytes(content)
    with pytest.raises(DataError) as error:
        data.load_sonnets(file)
    assert_helpful(error, str(file), fragment)


def test_unknown_names_are_value_errors() -> None:
    with pytest.raises(ValueError, match="Unknown dataset"):
        data.fetch("cifar10")
    with pytest.raises(ValueError, match="Unknown text corpus"):
        data.load_text("hamlet")


# ----------------------------------------------------------------- downloads


def _serve(monkeypatch: pytest.MonkeyPatch, name: str, source: Path, digest: str | None) -> None:
    dataset = dataclasses.replace(data.DATASETS[name], url=source.as_uri(), url_digest=digest,
                                  known_digests=(digest,) if digest else data.DATASETS[name].known_digests)
    monkeypatch.setitem(data.DATASETS, name, dataset)


def test_download_goes_to_the_cache_once(online: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = make_mnist(tmp_path / "served.npz")
    digest = "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()
    _serve(monkeypatch, "mnist", source, digest)
    seen: list[tuple[int, int]] = []
    path = data.fetch("mnist", progress=lambda done, total: seen.append((done, total)))
    assert path == data.dataset_path("mnist") and path.read_bytes() == source.read_bytes()
    assert seen and seen[-1][0] == source.stat().st_size
    source.unlink()  # a second load must not download again
    (x_train, _), _ = data.load_mnist(path)
    assert x_train.shape == (12, 28, 28)
    assert data.fetch("mnist") == path


def test_corrupt_download_leaves_nothing_behind(online: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = make_mnist(tmp_path / "served.npz")
    _serve(monkeypatch, "mnist", source, "sha256:" + "0" * 64)
    with pytest.raises(DataError) as error:
        data.fetch("mnist")
    assert "corrupt" in str(error.value) and "nothing was saved" in str(error.value)
    cache = data.dataset_path("mnist").parent
    assert not any(cache.iterdir()), "a half-written or unverified file was left in the cache"


def test_unreachable_download_is_one_clear_error(online: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _serve(monkeypatch, "shakespeare", tmp_path / "not-there.txt", None)
    with pytest.raises(DataError) as error:
        data.load_shakespeare()
    assert "Could not download shakespeare.txt" in str(error.value)
    assert not data.dataset_path("shakespeare").exists()


def test_gutenberg_header_and_footer_are_stripped(online: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "pg1041.txt"
    source.write_text("Header\n*** START OF THE PROJECT GUTENBERG EBOOK 1041 ***\n\nFrom fairest creatures\n"
                      "*** END OF THE PROJECT GUTENBERG EBOOK 1041 ***\nLicence\n", encoding="utf-8")
    _serve(monkeypatch, "sonnets", source, None)
    monkeypatch.setitem(data.DATASETS, "sonnets", dataclasses.replace(data.DATASETS["sonnets"], known_digests=()))
    with pytest.raises(DataError, match="checksum"):
        data.load_sonnets()  # unknown content is refused ...
    assert data.load_sonnets(data.dataset_path("sonnets")) == "From fairest creatures\n"  # ... but was cleaned


def test_corrupt_cached_file_says_delete_and_redownload(online: None) -> None:
    path = data.dataset_path("shakespeare")
    path.parent.mkdir(parents=True)
    path.write_text("To be, or not")
    with pytest.raises(DataError) as error:
        data.load_shakespeare()
    assert_helpful(error, str(path), "Delete")


# ----------------------------------------------------------------- real data


def test_real_mnist(real_data: Path) -> None:
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_train.max() == 255 and x_train.min() == 0


def test_real_imdb(real_data: Path) -> None:
    (train_texts, train_labels), (test_texts, test_labels) = data.load_imdb()
    assert len(train_texts) == len(test_texts) == 25_000
    assert train_labels.sum() == test_labels.sum() == 12_500
    assert all(isinstance(text, str) and text for text in train_texts[:100])


def test_real_text(real_data: Path) -> None:
    text = data.load_shakespeare()
    assert len(text) == 1_115_394 and text.startswith("First Citizen:")
    assert len(data.load_sonnets()) > 90_000


@pytest.mark.parametrize("name", list(data.DATASETS))
def test_verify_real_files(real_data: Path, name: str) -> None:
    assert data.verify(name).name == data.DATASETS[name].filename
