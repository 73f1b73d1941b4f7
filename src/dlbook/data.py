"""The book's four datasets, online and offline.

Every loader works two ways:

* **Offline.** When ``DLBOOK_DATA`` names a folder (see :func:`dlbook.config.data_dir`),
  the file is read from that folder and the network is never touched.
* **Online.** Otherwise the official file is downloaded once into
  ``<cache>/datasets`` (see :func:`dlbook.config.cache_dir`): to a temporary
  file first, checked against its published checksum, then renamed, so a
  broken download never leaves a half-written file behind.

A missing, truncated, corrupt or wrongly shaped file raises :class:`DataError`,
whose message names the file, where it was looked for, and how to fix it.

Example:
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> (train_texts, train_labels), (test_texts, test_labels) = load_imdb()
    >>> text = load_shakespeare()
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlbook import config

__all__ = [
    "DATASETS",
    "DataError",
    "Dataset",
    "dataset_path",
    "fetch",
    "file_digest",
    "load_imdb",
    "load_mnist",
    "load_shakespeare",
    "load_sonnets",
    "load_text",
    "read_text_file",
    "verify",
]


class DataError(RuntimeError):
    """A dataset file is missing, truncated, corrupt or not in the expected layout.

    Attributes:
        reason: ``"missing"`` (no file where it was looked for), ``"download"``
            (it could not be downloaded) or ``"corrupt"`` (it is there but bad);
            for a reader's own text file (:func:`read_text_file`) also
            ``"empty"``, ``"binary"``, ``"unreadable"`` or ``"too short"``.
    """

    def __init__(self, message: str, reason: str = "corrupt") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Dataset:
    """Where a dataset comes from and how to recognise a good copy.

    Attributes:
        name: Short name used by the loaders and the command line.
        filename: File name in a data folder or in the cache.
        url: Official download address.
        description: One line for messages and listings.
        url_digest: ``algorithm:hexdigest`` of the official file, if published.
        known_digests: ``algorithm:hexdigest`` of every copy known to be good
            (the official file and the offline copy in ``shared/datasets``).
    """

    name: str
    filename: str
    url: str
    description: str
    url_digest: str | None
    known_digests: tuple[str, ...]


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            name="mnist",
            filename="mnist.npz",
            url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
            description="MNIST handwritten digits, Keras layout",
            url_digest="sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
            known_digests=(
                "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                "sha256:06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64",
            ),
        ),
        Dataset(
            name="imdb",
            filename="aclImdb_v1.tar.gz",
            url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
            description="IMDB Large Movie Review Dataset (Maas et al., 2011), raw text",
            url_digest="md5:7c2ac02c03563afcf9b574c7e56c153a",
            known_digests=(
                "md5:7c2ac02c03563afcf9b574c7e56c153a",
                "sha256:dcba9cb315c9840b43e376c7d146c17381665386d9b42de66ba8e4e804155c28",
            ),
        ),
        Dataset(
            name="shakespeare",
            filename="shakespeare.txt",
            url="https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt",
            description="Tiny Shakespeare, the TensorFlow text-generation corpus",
            # TensorFlow publishes no checksum; this is the digest of the
            # 1,115,394-character file that the tutorial downloads.
            url_digest=None,
            known_digests=(
                "sha256:86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            ),
        ),
        Dataset(
            name="sonnets",
            filename="sonnets.txt",
            url="https://www.gutenberg.org/cache/epub/1041/pg1041.txt",
            description="Shakespeare's Sonnets (Project Gutenberg #1041, header removed)",
            url_digest=None,
            known_digests=(
                "sha256:edb826e5a801c955ab21026b3660306838fbf29ec29ea01886b2854c6d639b55",
            ),
        ),
    )
}

_FIX_OFFLINE = (
    "Set DLBOOK_DATA to a folder that holds a good copy of {filename} "
    "(for example the project's ../shared/datasets), or unset DLBOOK_DATA to "
    "download it."
)
_FIX_CACHED = (
    "Delete {path} and run again to re-download it (`python -m dlbook data fetch`), "
    "or set DLBOOK_DATA to a folder that holds a good copy."
)


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(
            f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}."
        ) from None


def _fix_for(path: Path) -> str:
    """How to repair a bad file, depending on where it came from."""
    folder = config.data_dir()
    if folder is not None and path.parent == folder:
        return _FIX_OFFLINE.format(filename=path.name)
    return _FIX_CACHED.format(path=path)


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Return ``algorithm:hexdigest`` of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"{algorithm}:{digest.hexdigest()}"


def _matches_known(path: Path, dataset: Dataset) -> bool:
    algorithms = sorted({digest.split(":", 1)[0] for digest in dataset.known_digests})
    return any(file_digest(path, algo) in dataset.known_digests for algo in algorithms)


def dataset_path(name: str) -> Path:
    """Where the file for ``name`` is read from: the data folder or the cache.

    The file need not exist yet; see :func:`fetch`.
    """
    dataset = _dataset(name)
    folder = config.data_dir()
    if folder is not None:
        return folder / dataset.filename
    return config.cache_dir() / "datasets" / dataset.filename


def fetch(name: str, *, check: bool = True, progress: Callable[[int, int], None] | None = None) -> Path:
    """Return the path of a good copy of dataset ``name``, downloading it if needed.

    Args:
        name: One of :data:`DATASETS` (``mnist``, ``imdb``, ``shakespeare``, ``sonnets``).
        check: Compare the file with the known-good checksums.
        progress: Optional ``callback(bytes_done, bytes_total)`` for downloads
            (``bytes_total`` is 0 when the server does not say).

    Raises:
        DataError: the file is missing from ``DLBOOK_DATA``, the download
            failed, or the file does not match a known-good checksum.
    """
    dataset = _dataset(name)
    path = dataset_path(name)
    folder = config.data_dir()
    if folder is not None:
        if name == "imdb" and not path.exists() and (folder / "aclImdb").is_dir():
            return folder / "aclImdb"
        if not folder.is_dir():
            raise DataError(
                f"DLBOOK_DATA points to {folder}, which is not a folder. "
                + _FIX_OFFLINE.format(filename=dataset.filename),
                reason="missing",
            )
        if not path.is_file():
            raise DataError(
                f"{dataset.filename} ({dataset.description}) is missing: looked for "
                f"{path} because DLBOOK_DATA={folder}. "
                + _FIX_OFFLINE.format(filename=dataset.filename),
                reason="missing",
            )
    elif not path.is_file():
        _download(dataset, path, progress=progress)
    if check and path.is_file() and not _matches_known(path, dataset):
        raise DataError(
            f"{path} does not match any known-good checksum of {dataset.filename} "
            f"({dataset.description}): it is truncated, corrupt or a different file. "
            + _fix_for(path)
        )
    return path


def _download(dataset: Dataset, path: Path, *, progress: Callable[[int, int], None] | None) -> None:
    """Download to a temporary file beside ``path``, verify, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{dataset.filename}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(dataset.url, timeout=60) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    done = 0
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
            except (urllib.error.URLError, OSError, ValueError) as error:
                raise DataError(
                    f"Could not download {dataset.filename} from {dataset.url} into "
                    f"{path.parent}: {error}. Check the network connection, or set "
                    f"DLBOOK_DATA to a folder that already holds {dataset.filename}.",
                    reason="download",
                ) from None
        if dataset.name == "sonnets":
            _strip_gutenberg(Path(temporary))
        if dataset.url_digest is not None:
            algorithm = dataset.url_digest.split(":", 1)[0]
            got = file_digest(Path(temporary), algorithm)
            if got != dataset.url_digest:
                raise DataError(
                    f"The download of {dataset.filename} from {dataset.url} is corrupt "
                    f"({got}, expected {dataset.url_digest}); nothing was saved in "
                    f"{path.parent}. Try again, or set DLBOOK_DATA to a folder that "
                    f"holds a good copy."
                )
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _strip_gutenberg(path: Path) -> None:
    """Keep only the text between Project Gutenberg's START and END markers."""
    text = path.read_text(encoding="utf-8-sig")
    start = re.search(r"^\*\*\* ?START OF.*$", text, flags=re.MULTILINE)
    end = re.search(r"^\*\*\* ?END OF.*$", text, flags=re.MULTILINE)
    body = text[start.end() if start else 0 : end.start() if end else len(text)]
    path.write_text(body.strip() + "\n", encoding="utf-8")


# --------------------------------------------------------------------- MNIST

_MNIST_SIZES = {"train": 60_000, "test": 10_000}


def load_mnist(path: str | os.PathLike[str] | None = None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist``.

    Images are ``uint8`` arrays of shape ``(n, 28, 28)`` with values 0-255;
    labels are ``uint8`` digits 0-9.

    Args:
        path: A Keras-layout ``mnist.npz`` to read instead of the data folder
            or cache (its checksum is not checked, its layout is).

    Raises:
        DataError: the file is missing, unreadable, or not in the Keras layout.
    """
    file = Path(path) if path is not None else fetch("mnist")
    try:
        with np.load(file, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test") if key in archive.files}
    except FileNotFoundError:
        raise DataError(f"{file} does not exist. " + _fix_for(file), reason="missing") from None
    except (OSError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DataError(
            f"{file} is not a readable .npz archive ({type(error).__name__}: {error}); "
            "it is truncated or corrupt. " + _fix_for(file)
        ) from None
    missing = {"x_train", "y_train", "x_test", "y_test"} - arrays.keys()
    if missing:
        raise DataError(
            f"{file} lacks the array(s) {', '.join(sorted(missing))}; expected the Keras "
            "layout x_train, y_train, x_test, y_test. " + _fix_for(file)
        )
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        problem = None
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            problem = f"x_{split} has shape {images.shape}, expected (n, 28, 28)"
        elif labels.shape != (images.shape[0],):
            problem = f"y_{split} has shape {labels.shape}, expected ({images.shape[0]},)"
        elif images.dtype != np.uint8:
            problem = f"x_{split} has dtype {images.dtype}, expected uint8"
        elif labels.size and (labels.min() < 0 or labels.max() > 9):
            problem = f"y_{split} holds labels outside 0-9"
        elif path is None and images.shape[0] != _MNIST_SIZES[split]:
            problem = f"x_{split} has {images.shape[0]} images, expected {_MNIST_SIZES[split]}"
        if problem:
            raise DataError(f"{file} is not MNIST in the Keras layout: {problem}. " + _fix_for(file))
    return (arrays["x_train"], arrays["y_train"].astype(np.uint8)), (arrays["x_test"], arrays["y_test"].astype(np.uint8))


# ---------------------------------------------------------------------- IMDB

_IMDB_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
_IMDB_PER_FOLDER = 12_500


def _imdb_members_from_archive(file: Path) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(file, mode="r:*") as archive:
        for member in archive:
            if member.isfile() and _IMDB_MEMBER.search(member.name):
                handle = archive.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()


def _imdb_members_from_folder(folder: Path) -> Iterator[tuple[str, bytes]]:
    root = folder if folder.name == "aclImdb" else folder / "aclImdb"
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            for review in sorted((root / split / label).glob("*_*.txt")):
                yield f"aclImdb/{split}/{label}/{review.name}", review.read_bytes()


def load_imdb(path: str | os.PathLike[str] | None = None) -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """Load the IMDB reviews as raw text: ``(train_texts, train_labels), (test_texts, test_labels)``.

    Labels are ``int64``: 1 for a positive review (rating 7-10), 0 for a
    negative one (rating 1-4). Reviews are in a fixed order (by split, label
    and review id), so a seeded shuffle gives the same split on every machine.
    The HTML line breaks (``<br />``) of the original files are kept: cleaning
    is the job of the chapter's text vectorization.

    Args:
        path: Stanford's ``aclImdb_v1.tar.gz`` or an extracted folder to read
            instead of the data folder or cache.

    Raises:
        DataError: the archive is missing, truncated, corrupt or not in
            Stanford's ``aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`` layout.
    """
    file = Path(path) if path is not None else fetch("imdb")
    if not file.exists():
        raise DataError(f"{file} does not exist. " + _fix_for(file), reason="missing")
    members = _imdb_members_from_folder(file) if file.is_dir() else _imdb_members_from_archive(file)
    found: dict[tuple[str, str], list[tuple[int, str]]] = {
        (split, label): [] for split in ("train", "test") for label in ("pos", "neg")
    }
    try:
        for name, raw in members:
            match = _IMDB_MEMBER.search(name)
            assert match is not None
            split, label, review_id, rating = match.groups()
            if (label == "pos") != (int(rating) >= 7):
                raise DataError(
                    f"{file}: {name} has rating {rating}, which does not fit the "
                    f"'{label}' folder. " + _fix_for(file)
                )
            found[split, label].append((int(review_id), raw.decode("utf-8")))
    except DataError:
        raise
    except UnicodeDecodeError as error:
        raise DataError(f"{file} holds a review that is not UTF-8 text ({error}). " + _fix_for(file)) from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DataError(
            f"{file} could not be read to the end ({type(error).__name__}: {error}); "
            "it is truncated or corrupt. " + _fix_for(file)
        ) from None
    empty = [f"{split}/{label}" for (split, label), reviews in found.items() if not reviews]
    if empty:
        raise DataError(
            f"{file} has no reviews under aclImdb/{', aclImdb/'.join(empty)}; expected "
            "Stanford's aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt layout. " + _fix_for(file)
        )
    if path is None:
        short = {key: len(reviews) for key, reviews in found.items() if len(reviews) != _IMDB_PER_FOLDER}
        if short:
            raise DataError(
                f"{file} is incomplete: expected {_IMDB_PER_FOLDER} reviews per folder, found "
                + ", ".join(f"{split}/{label}: {count}" for (split, label), count in short.items())
                + ". " + _fix_for(file)
            )

    def split_of(split: str) -> tuple[list[str], np.ndarray]:
        texts: list[str] = []
        labels: list[int] = []
        for label_name, label in (("neg", 0), ("pos", 1)):
            for _, text in sorted(found[split, label_name]):
                texts.append(text)
                labels.append(label)
        return texts, np.asarray(labels, dtype=np.int64)

    return split_of("train"), split_of("test")


# ---------------------------------------------------------------------- text

def load_text(name: str = "shakespeare", path: str | os.PathLike[str] | None = None) -> str:
    """Load a plain-text corpus (``shakespeare`` or ``sonnets``) as one string.

    The text is returned exactly as stored (case, punctuation and line breaks
    kept), with Windows line endings normalised to ``\\n``.

    Raises:
        DataError: the file is missing, empty or not UTF-8 text.
    """
    if name not in ("shakespeare", "sonnets"):
        raise ValueError(f"Unknown text corpus {name!r}; choose 'shakespeare' or 'sonnets'.")
    file = Path(path) if path is not None else fetch(name)
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(f"{file} does not exist. " + _fix_for(file), reason="missing") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{file} is not UTF-8 text ({error}); it is corrupt. " + _fix_for(file)) from None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise DataError(f"{file} is empty. " + _fix_for(file))
    return text


def read_text_file(path: str | os.PathLike[str]) -> str:
    """Read any UTF-8 text file (a reader's own corpus) as one string.

    Line endings are normalised to ``\\n`` and a byte-order mark is dropped,
    as :func:`load_text` does for the book's corpora.

    Raises:
        DataError: with ``reason`` ``"missing"`` (no such file, or a folder),
            ``"empty"`` (nothing but whitespace), ``"binary"`` (a NUL byte, or
            not UTF-8) or ``"unreadable"`` (any other reading error).
    """
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{file} does not exist.", reason="missing") from None
    except IsADirectoryError:
        raise DataError(f"{file} is a folder, not a text file.", reason="missing") from None
    except OSError as error:
        raise DataError(f"Cannot read {file}: {error.strerror}.", reason="unreadable") from None
    # Text files never hold NUL bytes; UTF-16 text and binary files (images,
    # archives, compiled code) do, and would otherwise pass as odd characters.
    if b"\0" in raw:
        raise DataError(f"{file} is a binary file, not UTF-8 text.", reason="binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{file} is not UTF-8 text (the byte at offset {error.start:,} is not valid UTF-8).",
                        reason="binary") from None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise DataError(f"{file} is empty: there is no text to learn from.", reason="empty")
    return text


def load_shakespeare(path: str | os.PathLike[str] | None = None) -> str:
    """Load Tiny Shakespeare (1,115,394 characters of plays). See :func:`load_text`."""
    return load_text("shakespeare", path)


def load_sonnets(path: str | os.PathLike[str] | None = None) -> str:
    """Load Shakespeare's 154 Sonnets. See :func:`load_text`."""
    return load_text("sonnets", path)


# -------------------------------------------------------------------- verify

_LOADERS: dict[str, Callable[[Path], object]] = {
    "mnist": load_mnist,
    "imdb": load_imdb,
    "shakespeare": load_shakespeare,
    "sonnets": load_sonnets,
}


def verify(name: str) -> Path:
    """Check that dataset ``name`` is present, matches a known checksum and loads.

    Never downloads: a file that is not there yet is reported as missing.

    Returns:
        The path of the good file.

    Raises:
        DataError: with the reason, as for the loaders.
    """
    dataset = _dataset(name)
    path = dataset_path(name)
    if config.data_dir() is None and not path.is_file():
        raise DataError(
            f"{dataset.filename} is not downloaded yet: looked for {path}. "
            "Run `python -m dlbook data fetch`, or set DLBOOK_DATA to a folder that holds it.",
            reason="missing",
        )
    path = fetch(name)
    _LOADERS[name](path)
    return path
