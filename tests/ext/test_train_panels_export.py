"""The "Train it yourself" panels' build side (``_ext/train_panels.py``) and their engine under Node.

The browser side is checked in tests/browser/test_train_panels.py on a built
book (one Adam step against Keras, training, the controls); these checks need
no browser and no trained model. The engine check runs ``engine.js`` under
Node (skipped without node) against a NumPy version of the same step.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import train_panels as tp  # noqa: E402


def fake_mnist(train: int = 200, test: int = 60):
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(train, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(test, 28, 28), dtype=np.uint8)
    return (x_train, rng.integers(0, 10, train).astype(np.uint8)), (x_test, rng.integers(0, 10, test).astype(np.uint8))


def test_digits_round_trip_exactly() -> None:
    (x, _), (t, labels) = fake_mnist()
    images, none = tp.unpack_digits(tp.pack_digits(x.reshape(-1, 784)), len(x))
    assert none is None and np.array_equal(images, x.reshape(-1, 784))
    images, back = tp.unpack_digits(tp.pack_digits(t.reshape(-1, 784), labels), len(t), with_labels=True)
    assert np.array_equal(images, t.reshape(-1, 784)) and np.array_equal(back, labels)
    with pytest.raises(ValueError):
        tp.unpack_digits(tp.pack_digits(t.reshape(-1, 784)), len(t), with_labels=True)


def test_shipped_digits_are_the_chapters_first_training_digits(monkeypatch) -> None:
    monkeypatch.setattr(tp, "TRAIN_DIGITS", 50)
    monkeypatch.setattr(tp, "TEST_DIGITS", 20)
    mnist = fake_mnist()
    (x_train, _), (x_test, y_test) = mnist
    digits = tp.chapter_digits(train_size=120, validation_size=40, mnist=mnist)
    assert np.array_equal(digits["train"], x_train[:50].reshape(-1, 784))
    assert np.array_equal(digits["test"], x_test[:20].reshape(-1, 784)) and np.array_equal(digits["labels"], y_test[:20])
    # Fewer training digits than the page could take: all of the chapter's, none of its validation digits.
    digits = tp.chapter_digits(train_size=30, validation_size=40, mnist=mnist)
    assert np.array_equal(digits["train"], x_train[:30].reshape(-1, 784))
    digits = tp.chapter_digits(train_size=10_000, validation_size=170, mnist=mnist)
    assert len(digits["train"]) == 30  # 200 - 170: the validation digits stay out


RECORD = {
    "chapter": "autoencoder", "profile": "quick", "values": {"train_size": 50_000, "batch_size": 256},
    "training": {
        "autoencoder-32": {"epochs": 7, "seconds": 12.5, "key": "a", "path": "/x"},
        "autoencoder-16": {"epochs": 7, "seconds": 10.0, "key": "b", "path": "/y"},
        "autoencoder-32-mse": {"epochs": 7, "seconds": 1.0, "key": "c", "path": "/z"},
        "deep-autoencoder-32": {"epochs": 7, "seconds": 1.0, "key": "d", "path": "/w"},
    },
}


def test_book_models_come_from_the_record() -> None:
    book = tp.book_models(RECORD, "autoencoder", lambda name: int(name.split("-")[1]))
    assert set(book) == {"32", "16"}  # not the MSE or deep variants of the exercises
    assert book["32"] == {"name": "autoencoder-32", "epochs": 7, "train_size": 50_000, "seconds": 12.5, "latent": 32}
    record = {**RECORD, "training": {"denoising-autoencoder-32": {"epochs": 4, "seconds": 3.0},
                                     "autoencoder-32": {"epochs": 4, "seconds": 2.0}}}
    book = tp.book_models(record, "denoising", lambda name: 32)
    assert set(book) == {"denoiser"} and book["denoiser"]["epochs"] == 4


def test_export_states_its_payload_and_the_page_its_numbers(tmp_path: Path) -> None:
    (x, _), (t, labels) = fake_mnist()
    digits = {"train": x.reshape(-1, 784), "test": t.reshape(-1, 784), "labels": labels}
    book = tp.book_models(RECORD, "autoencoder", lambda name: int(name.split("-")[1]))
    manifest = tp.write_export("autoencoder", "autoencoder", RECORD, digits, book, None, tmp_path)
    files = sum((tmp_path / name).stat().st_size for name in ("train-digits.u8.zlib", "test-digits.u8.zlib",
                                                               "manifest.json"))
    scripts = sum((tp.STATIC / name).stat().st_size for name in (*tp.SCRIPTS, tp.WORKER, tp.CSS))
    assert abs(manifest["payload_bytes"] - (files + scripts)) <= 100
    assert json.loads((tmp_path / "manifest.json").read_text())["train"]["count"] == 200

    page = tp.panel_html(manifest, lambda target, _: "../" + target)
    settings = json.loads(html.unescape(re.search(r'data-settings="([^"]+)"', page)[1]))
    assert settings["latent_dims"] == [2, 8, 16, 32, 64, 128] and settings["latent"] == 32
    assert settings["book"]["32"]["epochs"] == 7 and settings["train_count"] == 200
    text = re.search(r"<p>(.*?)</p>", page)[1]
    assert "first 200 of the chapter" in text and "60 held-out test digits" in text and "your browser trains" in text
    assert f"({manifest['payload_bytes'] / 1e6:.1f} MB" in text and "no server" in text
    assert 'data-worker="../_static/train/worker.js"' in page
    from dlbook import autoencoders

    rate = autoencoders.settings()["LEARNING_RATE"]  # the book's recipe in the active profile
    assert f"learning rate of {rate:g} and batches of 256, for 7 epochs on 50,000 digits" in text
    assert "the σ you set" not in page

    manifest = tp.write_export("denoising-autoencoder", "denoising", RECORD, digits,
                               {"denoiser": {**book["32"], "name": "denoising-autoencoder-32"}}, 0.5, tmp_path)
    page = tp.panel_html(manifest, lambda target, _: target)
    settings = json.loads(html.unescape(re.search(r'data-settings="([^"]+)"', page)[1]))
    assert settings["latent_dims"] == [32] and settings["noise_std"] == 0.5
    assert "σ = 0.5" in page


ENGINE_STEP = r"""
const fs = require('fs');
global.self = global;
eval(fs.readFileSync(process.argv[process.argv.length - 1], 'utf8'));
const T = self.DLBookTrain, input = JSON.parse(fs.readFileSync(0, 'utf8'));
const m = new T.Autoencoder({latent: input.k, seed: 3, learningRate: input.lr});
const w0 = m.weights(), init = [w0.encoderKernel, w0.encoderBias, w0.decoderKernel, w0.decoderBias].map((a) => Array.from(a));
const x = Float32Array.from(input.x), y = Float32Array.from(input.y), losses = [];
for (let s = 0; s < input.steps; s++) losses.push(m.step(x, y, input.rows));
const w = m.weights();
process.stdout.write(JSON.stringify({init, losses, after: [w.encoderKernel, w.encoderBias, w.decoderKernel, w.decoderBias].map((a) => Array.from(a))}));
"""


def numpy_steps(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float, steps: int):
    """Keras 3's Adam on the autoencoder, in float64 NumPy: the reference of engine.js."""
    w = [np.asarray(p, np.float64).copy() for p in weights]
    m = [np.zeros_like(p) for p in w]
    v = [np.zeros_like(p) for p in w]
    losses = []
    for t in range(1, steps + 1):
        pre = x @ w[0] + w[1]
        h = np.maximum(pre, 0)
        z = h @ w[2] + w[3]
        losses.append(float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))))
        dz = (1 / (1 + np.exp(-z)) - y) / z.size
        dh = (dz @ w[2].T) * (pre > 0)
        grads = [x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]
        alpha = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for p, g in enumerate(grads):
            m[p] += (g - m[p]) * 0.1
            v[p] += (g * g - v[p]) * 0.001
            w[p] -= m[p] * alpha / (np.sqrt(v[p]) + 1e-7)
    return losses, w


@pytest.mark.parametrize("noisy", [False, True])
def test_engine_step_is_keras_adam_on_the_autoencoder(noisy: bool) -> None:
    """engine.js's forward, backward and Adam agree with the NumPy reference within float32 rounding."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node")
    rng = np.random.default_rng(1)
    rows, k, lr = 24, 8, 4e-3
    y = (rng.random((rows, 784)) * (rng.random((rows, 784)) < 0.2)).astype(np.float32)  # sparse, like MNIST
    x = np.clip(y + 0.3 * rng.normal(size=y.shape), 0, 1).astype(np.float32) if noisy else y
    run = subprocess.run([node, "-e", ENGINE_STEP, "--", str(tp.STATIC / "train" / "engine.js")], check=True,
                         capture_output=True, text=True,
                         input=json.dumps({"k": k, "lr": lr, "steps": 3, "rows": rows, "x": x.ravel().tolist(),
                                           "y": y.ravel().tolist()}))
    out = json.loads(run.stdout)
    shapes = [(784, k), (k,), (k, 784), (784,)]
    init = [np.array(a, np.float32).reshape(s) for a, s in zip(out["init"], shapes)]
    limit = np.sqrt(6 / (784 + k))
    assert np.abs(init[0]).max() <= limit and np.abs(init[0]).max() > 0.9 * limit and not init[1].any()
    losses, after = numpy_steps(init, x.astype(np.float64), y.astype(np.float64), lr, 3)
    np.testing.assert_allclose(out["losses"], losses, atol=1e-6)
    assert losses[2] < losses[0]
    for mine, reference in zip(out["after"], after):
        np.testing.assert_allclose(np.array(mine), reference.ravel(), atol=2e-6)
