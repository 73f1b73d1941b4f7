"""Sphinx extension: "Train it yourself", the chapter's autoencoder trained in the reader's browser.

Chapters 1 and 2 get a second panel, after the "Try the trained model" one
(``live_panels``): the reader picks a latent size (chapter 1) or the training
noise (chapter 2), presses Train, and watches the chapter's model learn in a
Web Worker of their own browser: the loss curves, the reconstructions of 8
held-out test digits, the 2-D codes at latent size 2, and, at the end, the
same scores of the book's trained model of that size on the same digits.

What this extension ships, at build time, from the build's own data
(``dlbook.data.load_mnist``, the chapters' split) into ``_static/train/<chapter>/``:

- ``train-digits.u8.zlib``: the first :data:`TRAIN_DIGITS` of the chapter's
  training digits, uint8, zlib-compressed (the browser inflates them with
  ``DecompressionStream``: exact pixels, 1.6 MB for 10,000 digits, less than
  a PNG sprite of the same digits);
- ``test-digits.u8.zlib``: the first :data:`TEST_DIGITS` test digits, then
  their labels, the held-out set of the panel;
- ``manifest.json``: counts, files, the training settings of the panel, the
  profile, and, for each latent size the build trained, the epochs and digits
  of the book's model (from the chapter's record, ``Results.add_training``).

The book's models themselves are not shipped again: train.js takes them
from the page's live panel (``panels.js``, which loads ``_static/panels/<chapter>/``)
and hands them to the worker, so the page downloads their weights once. The training code is ``static/train/engine.js``
(forward and backward pass, Keras' Adam), ``worker.js`` (the training loop)
and ``train.js`` (the controls and charts); see engine.js for why it is
hand-written rather than TensorFlow.js.

No panel is added to a page whose chapter did not record its models.
"""

from __future__ import annotations

import hashlib
import html
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np

STATIC = Path(__file__).parent / "static"
OUTPUT = "train"                    # under the site's _static
SCRIPTS = ("train/engine.js", "train/train.js")
WORKER = "train/worker.js"
CSS = "train/train.css"
#: The extra download each page may cost (the issue's budget), checked at build time.
BUDGET_BYTES = 3_000_000
#: How many of the chapter's training digits the page ships, and held-out test digits.
TRAIN_DIGITS = 10_000
TEST_DIGITS = 1_000
#: Bumped when the exported format changes.
FORMAT = 1
#: The panel goes after the live panel, before this section (every chapter has one).
BEFORE_SECTION = '<section id="summary">'
#: The latent sizes a reader can pick in chapter 1 (the issue's list); the build's sizes are added.
LATENT_SIZES = (2, 8, 16, 32, 64, 128)

#: How the page trains (the same for every reader): Keras' Adam with a larger
#: step than the chapter's default 1e-3, and smaller batches than its 256, so
#: that a minute of training in a browser gets close to the book's model:
#: a 784-32-784 prototype reached a test BCE of 0.101 in 45 s so, 0.124 with 1e-3.
TRAINING = {
    "learning_rate": 4e-3,
    "batch_size": 128,
    "eval_every": 100,       # steps between held-out evaluations (and reconstructions)
    "seed": 1,
    "durations": [30, 60, 120, 300],
    "seconds": 60,
}

#: Page (docname) -> (chapter record name, panel kind).
CHAPTERS = {
    "book/autoencoder": ("autoencoder", "autoencoder"),
    "book/denoising-autoencoder": ("denoising-autoencoder", "denoising"),
}


def pack_digits(images: np.ndarray, labels: np.ndarray | None = None) -> bytes:
    """uint8 digits (rows of 784 pixels), then their labels if given, zlib-compressed (level 9)."""
    pixels = np.ascontiguousarray(images, dtype=np.uint8).reshape(len(images), 784)
    payload = pixels.tobytes()
    if labels is not None:
        payload += np.asarray(labels, dtype=np.uint8).tobytes()
    return zlib.compress(payload, 9)


def unpack_digits(blob: bytes, count: int, with_labels: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """The inverse of :func:`pack_digits`: ``(images (count, 784) uint8, labels or None)``."""
    raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
    expected = count * 785 if with_labels else count * 784
    if raw.size != expected:
        raise ValueError(f"expected {expected} bytes, got {raw.size}")
    return raw[:count * 784].reshape(count, 784), (raw[count * 784:] if with_labels else None)


def chapter_digits(train_size: int, validation_size: int, mnist: Any = None) -> dict[str, np.ndarray]:
    """The digits a panel ships: the first of the chapter's training digits, and the first test digits.

    The chapters train on the first ``train_size`` digits of MNIST's training
    set without its last ``validation_size`` (``autoencoders.load_mnist_splits``);
    the page gets the first :data:`TRAIN_DIGITS` of those, as uint8.
    """
    if mnist is None:
        from dlbook import data

        mnist = data.load_mnist()
    (x_train, _), (x_test, y_test) = mnist
    training = x_train[:len(x_train) - validation_size][:train_size]
    return {"train": np.asarray(training[:TRAIN_DIGITS], dtype=np.uint8).reshape(-1, 784),
            "test": np.asarray(x_test[:TEST_DIGITS], dtype=np.uint8).reshape(-1, 784),
            "labels": np.asarray(y_test[:TEST_DIGITS], dtype=np.uint8)}


def book_models(record: dict[str, Any], kind: str, latent_of: Any) -> dict[str, dict[str, Any]]:
    """The book's models the panel compares with, from the chapter's record: epochs, digits, latent size.

    Chapter 1: ``autoencoder-<k>`` for every size the build trained, keyed
    by ``k``; chapter 2: its denoiser, keyed ``denoiser``. ``latent_of(name)``
    gives a recorded model's latent size (read from its weights).
    """
    train_size = int(record["values"]["train_size"])
    out: dict[str, dict[str, Any]] = {}
    for name, training in record.get("training", {}).items():
        if kind == "autoencoder" and name.startswith("autoencoder-") and name.split("-", 1)[1].isdigit():
            key = name.split("-", 1)[1]
        elif kind == "denoising" and name.startswith("denoising-autoencoder-"):
            key = "denoiser"
        else:
            continue
        out[key] = {"name": name, "epochs": int(training["epochs"]), "train_size": train_size,
                    "seconds": float(training["seconds"]), "latent": int(latent_of(name))}
    return out


def _latent_reader(record: dict[str, Any]) -> Any:
    """``name -> latent size`` of a recorded model, from its cache entry's encoder kernel."""
    import live_panels

    def latent(name: str) -> int:
        source = live_panels._source(record, name)
        tensors = live_panels.autoencoder_tensors(live_panels.read_h5(Path(source["path"])), "m")
        return int(tensors["m/encoder/kernel"].shape[1])

    return latent


def write_export(chapter: str, kind: str, record: dict[str, Any], digits: dict[str, np.ndarray],
                 book: dict[str, dict[str, Any]], noise_std: float | None, folder: Path) -> dict[str, Any]:
    """Write the digits and ``manifest.json`` into ``folder``; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    train_blob, test_blob = pack_digits(digits["train"]), pack_digits(digits["test"], digits["labels"])
    (folder / "train-digits.u8.zlib").write_bytes(train_blob)
    (folder / "test-digits.u8.zlib").write_bytes(test_blob)
    manifest: dict[str, Any] = {
        "format": FORMAT, "chapter": chapter, "kind": kind, "profile": record["profile"],
        "train": {"file": "train-digits.u8.zlib", "count": len(digits["train"]),
                  "sha256": hashlib.sha256(train_blob).hexdigest()[:16]},
        "test": {"file": "test-digits.u8.zlib", "count": len(digits["test"]), "labels": True,
                 "sha256": hashlib.sha256(test_blob).hexdigest()[:16]},
        "training": TRAINING, "book": book,
        # How the chapter trained its models (its batch size is a glued value of its record).
        "book_batch_size": int(record["values"]["batch_size"]) if "batch_size" in record.get("values", {}) else None,
        # The step size the book's models trained with in this build's profile (chapter 1's recipe).
        "book_learning_rate": _book_learning_rate(),
    }
    if noise_std is not None:
        manifest["noise_std"] = float(noise_std)
    text = json.dumps(manifest, separators=(",", ":"))
    payload = len(train_blob) + len(test_blob) + len(text.encode()) + 40
    for name in (*SCRIPTS, WORKER, CSS):
        payload += (STATIC / name).stat().st_size
    manifest["payload_bytes"] = payload
    (folder / "manifest.json").write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
    return manifest


def export_all(app: Any, env: Any) -> None:
    """After the chapters ran: export the digits of each chapter that recorded its models."""
    import sys

    from sphinx.util import logging

    from dlbook import autoencoders, config

    sys.path.insert(0, str(Path(__file__).parent))  # live_panels, beside this file
    logger = logging.getLogger(__name__)
    metrics = config.metrics_dir()
    app.env.dlbook_train_panels = {}
    mnist = None
    for docname, (chapter, kind) in CHAPTERS.items():
        record_file = metrics / f"{chapter}.json"
        if docname not in env.found_docs or not record_file.is_file():
            continue
        import live_panels

        record = json.loads(record_file.read_text())
        try:
            book = book_models(record, kind, _latent_reader(record))
            if not book:
                raise LookupError(f"{chapter}: no trained autoencoder recorded")
            noise_std = None
            if kind == "denoising":
                noise_std = float(live_panels._arrays(metrics, record)["noise_std"])
            if mnist is None:
                from dlbook import data

                mnist = data.load_mnist()
            digits = chapter_digits(int(record["values"]["train_size"]), autoencoders.VALIDATION_SIZE, mnist)
        except (LookupError, KeyError, OSError, ValueError) as error:
            logger.warning(f"train panels: {chapter}: {error!r}")
            continue
        folder = Path(app.outdir) / "_static" / OUTPUT / chapter
        manifest = write_export(chapter, kind, record, digits, book, noise_std, folder)
        if manifest["payload_bytes"] > BUDGET_BYTES:
            logger.warning(f"train panels: {chapter} ships {manifest['payload_bytes']:,} bytes, over the "
                           f"{BUDGET_BYTES:,}-byte budget per page")
        app.env.dlbook_train_panels[docname] = manifest


def settings(manifest: dict[str, Any]) -> dict[str, Any]:
    """What train.js needs to build the controls (the page's ``data-settings``)."""
    kind, book = manifest["kind"], manifest["book"]
    if kind == "denoising":
        latent_dims, latent = [book["denoiser"]["latent"]], book["denoiser"]["latent"]
    else:
        latent_dims = sorted({*LATENT_SIZES, *(int(k) for k in book)})
        latent = 32 if "32" in book or 32 in latent_dims else latent_dims[0]
    out = {**manifest["training"], "latent_dims": latent_dims, "latent": latent,
           "noise_std": manifest.get("noise_std", 0.0), "train_count": manifest["train"]["count"],
           "test_count": manifest["test"]["count"], "book": book, "status": status_text(manifest)}
    return out


def _book_learning_rate() -> float:
    from dlbook import autoencoders

    return float(autoencoders.settings()["LEARNING_RATE"])


def status_text(manifest: dict[str, Any]) -> str:
    """The panel's line once it works: what trains, where, on what (from the manifest, not typed)."""
    t = manifest["training"]
    what = ("the denoising autoencoder: noisy digits in, clean digits out" if manifest["kind"] == "denoising"
            else "the autoencoder at the latent size you pick")
    return (f"Ready. Train runs {what}, in your browser, on {manifest['train']['count']:,} training digits, "
            f"and scores it on {manifest['test']['count']:,} held-out test digits.")


def panel_html(manifest: dict[str, Any], pathto: Any) -> str:
    """The "Train it yourself" section: the honest text, the panel (a line without JavaScript), the scripts."""
    kind, chapter, t = manifest["kind"], manifest["chapter"], manifest["training"]
    base = pathto(f"_static/{OUTPUT}/{chapter}/", 1)
    worker = pathto(f"_static/{WORKER}", 1)
    megabytes = (manifest["payload_bytes"]) / 1e6
    n_train, n_test = f"{manifest['train']['count']:,}", f"{manifest['test']['count']:,}"
    model = ("the chapter's denoising autoencoder (one Dense layer with a ReLU down to the code, one with a sigmoid "
             "back to 784 pixels, binary cross-entropy)" if kind == "denoising" else
             "the chapter's autoencoder (one Dense layer with a ReLU down to a code of the size you pick, one with a "
             "sigmoid back to 784 pixels, binary cross-entropy)")
    task = (" Its training inputs are the digits with fresh Gaussian noise of the σ you set, its targets the clean "
            "digits; the book's denoiser was trained with σ = " f"{manifest['noise_std']:g}." if kind == "denoising"
            else "")
    reference = manifest["book"].get("denoiser") or manifest["book"].get("32") or next(iter(manifest["book"].values()))
    batches = f" and batches of {manifest['book_batch_size']}" if manifest.get("book_batch_size") else ""
    text = (f"Press Train and your browser trains {model} from random weights, with Adam (learning rate "
            f"{t['learning_rate']:g}, batches of {t['batch_size']}), on the first {n_train} of the chapter's training "
            f"digits.{task} It runs in a background thread of this page, with no server: the page downloads those "
            f"digits and {n_test} held-out test digits ({megabytes:.1f} MB, once). The book's models were trained "
            f"with Adam at a learning rate of {manifest.get('book_learning_rate', 0.001):g}{batches}, for "
            f"{reference['epochs']} epochs on {reference['train_size']:,} digits. "
            "The curve shows the training loss and the binary cross-entropy on the held-out digits; when the time "
            "is up, the page scores the book's model of the same size on the same digits.")
    scripts = "".join(f'<script defer src="{html.escape(pathto("_static/" + name, 1))}"></script>' for name in SCRIPTS)
    label = "Train the denoising autoencoder" if kind == "denoising" else "Train the autoencoder"
    return (
        '<section id="train-it-yourself" class="dlbook-live">\n'
        '<h2>Train it yourself<a class="headerlink" href="#train-it-yourself" title="Link to this heading">#</a></h2>\n'
        f"<p>{html.escape(text)}</p>\n"
        f'<div class="dlbook-train" role="group" aria-label="{label}" data-train="{kind}" '
        f'data-src="{html.escape(base)}" data-worker="{html.escape(worker)}" '
        f"data-settings=\"{html.escape(json.dumps(settings(manifest), separators=(',', ':')))}\">\n"
        '<p class="dlbook-train__status" role="status">The training panel is loading. It needs JavaScript; '
        "without it, the figures of this page show what training does.</p>\n"
        '<div class="dlbook-train__body"></div>\n'
        f"</div>\n{scripts}\n</section>\n"
    )


def add_panel(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    manifest = getattr(app.env, "dlbook_train_panels", {}).get(pagename)
    body = context.get("body")
    if not manifest or not body or BEFORE_SECTION not in body:
        return
    context["body"] = body.replace(BEFORE_SECTION, panel_html(manifest, context["pathto"]) + BEFORE_SECTION, 1)


def configure(app: Any, config: Any) -> None:
    """Serve static/train/ as _static/train/ (live_panels adds the same static folder)."""
    if str(STATIC) not in [str(path) for path in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("env-updated", export_all)
    # After live_panels' handler (priority 500): this panel goes after the live one.
    app.connect("html-page-context", add_panel, priority=600)
    app.add_css_file(CSS, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
