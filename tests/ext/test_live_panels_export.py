"""The live panels' build side (``_ext/live_panels.py``): export, quantisation, page markup.

The browser side (nn.js, panels.js) is checked against Keras in
tests/browser/test_live_panels.py; these checks need neither a browser nor
TensorFlow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import live_panels as lp  # noqa: E402


def test_twelve_bit_rows_round_trip_within_half_a_step() -> None:
    rng = np.random.default_rng(0)
    # Rows of very different sizes: a per-row scale keeps the small ones precise.
    table = (rng.normal(size=(40, 64)) * rng.uniform(1e-3, 3.0, size=(40, 1))).astype(np.float32)
    table[3] = 0.0  # an all-zero row (a padding row) must not divide by zero
    high, low, scale = lp.quantise_rows(table)
    assert high.dtype == np.int8 and low.dtype == np.uint8 and scale.dtype == np.float32
    assert low.shape == (40, 32)
    back = lp.dequantise_rows(high, low, scale)
    step = np.abs(table).max(axis=1) / 2047
    error = np.abs(back - table).max(axis=1)
    assert np.all(error <= step / 2 + 1e-7 * np.abs(table).max(axis=1) + 1e-12), error / step
    assert np.all(back[3] == 0)
    # 12 bits, not 8: the error is far below what int8 rounding (step * 2047/127 / 2) allows.
    assert error.max() < (step * 2047 / 127 / 2).max() / 8


def test_odd_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        lp.quantise_rows(np.ones((2, 3), np.float32))


def test_exported_tensors_read_back_from_their_offsets(tmp_path: Path) -> None:
    tensors = {"a/kernel": np.arange(15, dtype=np.float32).reshape(3, 5), "b": np.array([-3, 7], np.int8),
               "c": np.arange(3, dtype=np.float64), "d": np.array([1, 2, 3], np.uint8)}
    export = lp.Export("chapter", "autoencoder", tensors=dict(tensors), fields={"latent_dims": [3]})
    manifest = lp.write_export(export, "quick", tmp_path)
    blob = (tmp_path / "weights.bin").read_bytes()
    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk == manifest and on_disk["profile"] == "quick" and on_disk["latent_dims"] == [3]
    for name, value in tensors.items():
        spec = manifest["tensors"][name]
        assert spec["offset"] % 8 == 0, "typed-array views in the browser need aligned offsets"
        dtype = np.dtype(spec["dtype"]).newbyteorder("<")
        read = np.frombuffer(blob, dtype=dtype, count=int(np.prod(spec["shape"])), offset=spec["offset"])
        np.testing.assert_array_equal(read.reshape(spec["shape"]), value.astype(dtype))
    assert manifest["tensors"]["c"]["dtype"] == "float32"  # float64 is halved, not shipped
    files = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert manifest["payload_bytes"] >= files, "the payload counts the weights and the manifest (and the scripts)"


def _fake_entry(folder: Path, layers: dict[str, np.ndarray]) -> Path:
    import h5py

    folder.mkdir(parents=True)
    with h5py.File(folder / "model.weights.h5", "w") as weights:
        for name, value in layers.items():
            weights[name] = value
        weights["optimizer/vars/0"] = np.zeros(3)  # not a layer: never shipped
    return folder


def test_autoencoder_export_tells_encoder_from_decoder_by_shape(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    encoder, decoder = rng.normal(size=(784, 4)).astype(np.float32), rng.normal(size=(4, 784)).astype(np.float32)
    # The decoder is stored under the first name here: the order must not matter.
    entry = _fake_entry(tmp_path / "autoencoder-4-abc", {
        "layers/dense/vars/0": decoder, "layers/dense/vars/1": np.ones(784, np.float32),
        "layers/dense_1/vars/0": encoder, "layers/dense_1/vars/1": np.zeros(4, np.float32)})
    record = {"chapter": "autoencoder", "profile": "quick",
              "training": {"autoencoder-4": {"key": "abc", "path": str(entry), "epochs": 2}}}
    images = rng.integers(0, 256, size=(3, 784)) / 255.0
    export = lp.export_autoencoder(record, {"latent_dims": np.array([4]), "test_images": images})
    np.testing.assert_array_equal(export.tensors["autoencoder-4/encoder/kernel"], encoder)
    np.testing.assert_array_equal(export.tensors["autoencoder-4/decoder/kernel"], decoder)
    np.testing.assert_array_equal(export.tensors["autoencoder-4/decoder/bias"], np.ones(784))
    # The test digits travel as their original bytes, exactly.
    np.testing.assert_array_equal(export.tensors["test_images"] / 255.0, images)
    assert export.sources["autoencoder-4"]["key"] == "abc"
    assert not any(name.startswith("optimizer") for name in export.tensors)


def test_a_missing_cache_entry_is_reported(tmp_path: Path) -> None:
    record = {"chapter": "text-generation", "training": {"char-lstm": {"key": "k", "path": str(tmp_path / "gone"),
                                                                       "epochs": 1}}}
    with pytest.raises(LookupError, match="gone"):
        lp.export_textgen(record, {"characters": np.array(list("ab"))})
    with pytest.raises(LookupError, match="no cache entry"):
        lp.export_textgen({"chapter": "text-generation", "training": {}}, {"characters": np.array(list("ab"))})


def test_sentiment_forward_pass_matches_the_numpy_reader() -> None:
    """The build's accuracy check runs the same model as dlbook.tasks.SentimentReader."""
    from dlbook.tasks import SentimentReader

    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(30)]
    vocabulary = ["", "[UNK]", *words]
    weights = {"embedding": rng.normal(size=(32, 8)), "kernel": rng.normal(size=(8, 16)) * 0.5,
               "recurrent_kernel": rng.normal(size=(4, 16)) * 0.5, "bias": rng.normal(size=16) * 0.1,
               "dense_kernel": rng.normal(size=(4, 1)), "dense_bias": rng.normal(size=1)}
    reader = SentimentReader(vocabulary, weights, sequence_length=12)
    texts = ["", "w1", "W3 w4, w5! unknown w6", " ".join(rng.choice(words, 40))] + [
        " ".join(rng.choice(words + ["zzz"], n)) for n in range(1, 12)]
    ours = lp.sentiment_probabilities({
        "embedding": weights["embedding"].astype(np.float32), "lstm/kernel": weights["kernel"].astype(np.float32),
        "lstm/recurrent_kernel": weights["recurrent_kernel"].astype(np.float32),
        "lstm/bias": weights["bias"].astype(np.float32), "dense/kernel": weights["dense_kernel"].astype(np.float32),
        "dense/bias": weights["dense_bias"].astype(np.float32)}, reader.token_ids(texts), batch=4)
    expected = reader.predict(texts)
    assert np.abs(ours - expected).max() < 1e-5
    assert np.ptp(expected) > 0.05, "inputs that all give the same probability would prove nothing"


def test_panel_markup_loads_without_javascript_and_says_where_it_runs() -> None:
    info = {"kind": "sentiment", "chapter": "sentiment", "profile": "quick", "payload_bytes": 2_400_000,
            "quantisation": {"reviews": 5000, "quantised_test_accuracy": 0.8372, "float32_test_accuracy": 0.8372,
                             "decisions_changed": 0}}
    markup = lp.panel_html(info, lambda path, resource: "../" + path)
    assert "The live model is loading" in markup  # what a reader without JavaScript keeps
    assert "runs in your browser" in markup and "<strong>quick</strong>" in markup and "2.4 MB" in markup
    assert 'data-src="../_static/panels/sentiment/"' in markup
    assert markup.index("nn.js") < markup.index("panels.js"), "the forward pass must load before the panels"
    assert "12 bits" in markup and "83.72%" in markup


def test_the_panel_goes_before_the_summary_once() -> None:
    class App:
        class env:  # noqa: N801 (a stand-in for Sphinx's environment)
            dlbook_panels = {"book/text-generation": {"kind": "textgen", "chapter": "text-generation",
                                                      "profile": "quick", "payload_bytes": 1_500_000}}

    body = '<section id="temperature"><h2>T</h2></section><section id="summary"><h2>Summary</h2></section>'
    context = {"body": body, "pathto": lambda path, resource: "../" + path}
    lp.add_panel(App, "book/text-generation", "page.html", context, None)
    assert context["body"].count('id="live-model"') == 1
    assert context["body"].index('id="live-model"') < context["body"].index('id="summary"')
    assert context["body"].index('id="temperature"') < context["body"].index('id="live-model"')
    other = {"body": body, "pathto": context["pathto"]}
    lp.add_panel(App, "book/intro", "page.html", other, None)
    assert other["body"] == body  # pages without a recorded model are left alone
