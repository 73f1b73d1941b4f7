"""The live panels' build side (``_ext/live_panels.py``): export, quantisation, page markup.

The browser side (nn.js, panels.js) is checked against Keras in
tests/browser/test_live_panels.py on a built book; these checks need no
browser. One reads a tiny chapter 3 model saved by Keras (skipped without
Keras), one runs nn.js and panels.js under Node (skipped without node) on an
exported 12-bit character model.
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
    as_float32 = {
        "embedding": weights["embedding"].astype(np.float32), "lstm/kernel": weights["kernel"].astype(np.float32),
        "lstm/recurrent_kernel": weights["recurrent_kernel"].astype(np.float32),
        "lstm/bias": weights["bias"].astype(np.float32), "dense/kernel": weights["dense_kernel"].astype(np.float32),
        "dense/bias": weights["dense_bias"].astype(np.float32)}
    ours = lp.sentiment_probabilities(as_float32, reader.token_ids(texts), batch=4)
    expected = reader.predict(texts)
    assert np.abs(ours - expected).max() < 1e-5
    # In float64 (the browser's arithmetic, which the parity checks hold to 1e-6) on the same float32 weights.
    ours64 = lp.sentiment_probabilities(as_float32, reader.token_ids(texts), batch=4, dtype=np.float64)
    assert np.abs(ours64 - expected).max() < 1e-5 and np.abs(ours64 - ours).max() > 0
    assert np.ptp(expected) > 0.05, "inputs that all give the same probability would prove nothing"


def test_panel_markup_loads_without_javascript_and_says_where_it_runs() -> None:
    info = {"kind": "sentiment", "chapter": "sentiment", "profile": "quick", "payload_bytes": 2_400_000,
            "quantisation": {"reviews": 5000, "quantised_test_accuracy": 0.8372, "float32_test_accuracy": 0.8372,
                             "decisions_changed": 0}}
    markup = lp.panel_html(info, lambda path, resource: "../" + path)
    assert "The live model is loading" in markup  # what a reader without JavaScript keeps
    assert "runs in your browser" in markup and "2.4 MB" in markup
    assert "profile" not in markup, "the profile belongs in the note under the title"
    assert 'href="../book/how-this-book-is-built#built-panels"' in markup
    assert 'data-src="../_static/panels/sentiment/"' in markup
    assert markup.index("nn.js") < markup.index("panels.js"), "the forward pass must load before the panels"
    assert "12 bits" in markup and "83.72%" not in markup  # what 12 bits cost is in the manifest


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


# ----------------------------------------------------- chapter 3's 12-bit LSTM

#: Chapter 3's model, as src/dlbook/textgen.py builds it: 65 characters, 64-wide embedding, 512 units.
CHARS, EMBEDDING, UNITS = 65, 64, 512


def _char_layers(rng: np.random.Generator, vocab: int, dim: int, units: int, scale: float = 0.3) -> dict[str, np.ndarray]:
    """A character LSTM's variables under Keras 3's paths (the Dropout layer has none)."""
    normal = lambda *shape: (rng.normal(size=shape) * scale).astype(np.float32)  # noqa: E731
    return {"layers/embedding/vars/0": normal(vocab, dim), "layers/lstm/cell/vars/0": normal(dim, 4 * units),
            "layers/lstm/cell/vars/1": normal(units, 4 * units), "layers/lstm/cell/vars/2": normal(4 * units),
            "layers/dense/vars/0": normal(units, vocab), "layers/dense/vars/1": normal(vocab)}


def _textgen_record(entry: Path) -> dict:
    return {"chapter": "text-generation", "profile": "quick",
            "training": {"char-lstm": {"key": entry.name, "path": str(entry), "epochs": 1}}}


def _within_twelve_bits(original: np.ndarray, back: np.ndarray) -> None:
    """|back - original| <= half a 12-bit step of its row (plus float32 rounding)."""
    row_max = np.abs(original).max(axis=1, keepdims=True)
    assert np.all(np.abs(back - original) <= row_max / 2047 / 2 + 1e-7 * row_max + 1e-12)


def test_the_char_model_is_read_from_keras_with_its_dropout_layer(tmp_path: Path) -> None:
    """The chapter's build_model (Embedding -> LSTM -> Dropout -> Dense), saved by Keras, exports and runs as Keras does."""
    keras = pytest.importorskip("keras")
    from dlbook.recipes import text_generation as recipe

    model = recipe.build_model(10, 8)
    assert any(isinstance(layer, keras.layers.Dropout) for layer in model.layers), "the test needs the Dropout layer"
    rng = np.random.default_rng(5)
    model.set_weights([(rng.normal(size=w.shape) * 0.6).astype(np.float32) for w in model.get_weights()])
    entry = tmp_path / "char-lstm-tiny"
    entry.mkdir()
    model.save_weights(entry / "model.weights.h5")

    characters = list("aeiou nrst")
    export = lp.export_textgen(_textgen_record(entry), {"characters": np.array(characters)})
    by_kind = {type(layer).__name__: layer for layer in model.layers}
    layer = {name: [np.asarray(v) for v in by_kind[kind].get_weights()]
             for name, kind in (("embedding", "Embedding"), ("lstm", "LSTM"), ("logits", "Dense"))}
    # Float32 tensors ship bit for bit; the LSTM's kernels in 12 bits, within half a step of each row.
    np.testing.assert_array_equal(export.tensors["embedding"], layer["embedding"][0])
    np.testing.assert_array_equal(export.tensors["lstm/bias"], layer["lstm"][2])
    np.testing.assert_array_equal(export.tensors["dense/kernel"], layer["logits"][0])
    np.testing.assert_array_equal(export.tensors["dense/bias"], layer["logits"][1])
    shipped = lp.dequantised(export.tensors)
    assert sorted(shipped) == sorted(lp.lstm_tensors(lp.read_h5(entry)))
    for name, original in (("lstm/kernel", layer["lstm"][0]), ("lstm/recurrent_kernel", layer["lstm"][1])):
        assert export.tensors[name].dtype == np.int8 and export.tensors[f"{name}/low"].dtype == np.uint8
        assert shipped[name].dtype == np.float32 and not np.array_equal(shipped[name], original)
        _within_twelve_bits(original, shipped[name])
    quantisation = export.fields["quantisation"]
    assert quantisation["tensors"] == ["lstm/kernel", "lstm/recurrent_kernel"]
    assert quantisation["scheme"].startswith("12 bits")
    assert quantisation["passage_characters"] > 100 and quantisation["predictions"] == quantisation["passage_characters"] - 1

    # The forward pass the panel runs (Dropout inactive) is Keras' on the shipped weights.
    by_kind["LSTM"].set_weights([shipped["lstm/kernel"], shipped["lstm/recurrent_kernel"], shipped["lstm/bias"]])
    ids = rng.integers(0, 10, size=40)
    expected = keras.ops.convert_to_numpy(keras.ops.softmax(model(ids[None].astype(np.int32), training=False)[0]))
    ours = lp.char_probabilities(shipped, ids)
    assert np.abs(ours - expected).max() < 1e-5
    assert np.ptp(expected) > 0.1, "a model that predicts the same everywhere would prove little"


def test_lstm_layers_are_found_by_class_and_shape_not_by_position(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    layers = _char_layers(rng, 10, 4, 8)
    # Another layer before the head shifts Keras' folder names: the head is now dense_1,
    # and the whole model sits inside an outer one.
    moved = {"layers/dense/vars/0": rng.normal(size=(3, 4)).astype(np.float32),
             "layers/dense/vars/1": np.zeros(4, np.float32),
             "layers/dense_1/vars/0": layers["layers/dense/vars/0"], "layers/dense_1/vars/1": layers["layers/dense/vars/1"]}
    nested = {f"layers/functional/{name}": value for name, value in {**layers, **moved}.items()}
    for variant in ({**layers, **moved}, nested):
        entry = _fake_entry(tmp_path / f"entry-{len(list(tmp_path.iterdir()))}", variant)
        found = lp.lstm_tensors(lp.read_h5(entry))
        np.testing.assert_array_equal(found["dense/kernel"], layers["layers/dense/vars/0"])
        np.testing.assert_array_equal(found["lstm/recurrent_kernel"], layers["layers/lstm/cell/vars/1"])
        np.testing.assert_array_equal(found["embedding"], layers["layers/embedding/vars/0"])

    # What the panels cannot run is refused as a LookupError (a build warning, no panel), never mis-read.
    stacked = dict(layers, **{"layers/lstm_1/cell/vars/0": rng.normal(size=(8, 24)).astype(np.float32),
                              "layers/lstm_1/cell/vars/1": rng.normal(size=(6, 24)).astype(np.float32),
                              "layers/lstm_1/cell/vars/2": np.zeros(24, np.float32)})
    headless = {name: value for name, value in layers.items() if not name.startswith("layers/dense/")}
    two_heads = dict(layers, **{"layers/dense_1/vars/0": layers["layers/dense/vars/0"] * 2,
                                "layers/dense_1/vars/1": layers["layers/dense/vars/1"]})
    for name, variant in (("stacked", stacked), ("headless", headless), ("two-heads", two_heads)):
        entry = _fake_entry(tmp_path / name, variant)
        with pytest.raises(LookupError):
            lp.lstm_tensors(lp.read_h5(entry))


def test_quantised_tensors_decode_as_shipped() -> None:
    rng = np.random.default_rng(7)
    tensors = {"lstm/kernel": rng.normal(size=(6, 16)).astype(np.float32), "lstm/bias": rng.normal(size=16),
               "embedding": rng.normal(size=(5, 4)).astype(np.float32)}
    shipped = lp.quantise_tensors(tensors, ["lstm/kernel"])
    assert sorted(shipped) == sorted([*tensors, "lstm/kernel/low", "lstm/kernel/scales"])
    high, low, scale = lp.quantise_rows(tensors["lstm/kernel"])
    np.testing.assert_array_equal(shipped["lstm/kernel"], high)
    back = lp.dequantised(shipped)
    assert sorted(back) == sorted(tensors)  # the parts of a 12-bit tensor are folded back into it
    np.testing.assert_array_equal(back["lstm/kernel"], lp.dequantise_rows(high, low, scale))
    assert back["embedding"] is tensors["embedding"] and back["lstm/bias"] is tensors["lstm/bias"]
    _within_twelve_bits(tensors["lstm/kernel"], back["lstm/kernel"])


def test_a_512_unit_char_panel_fits_the_budget(tmp_path: Path) -> None:
    """Chapter 3's 512 units: over the page budget in float32, within it with 12-bit LSTM kernels."""
    rng = np.random.default_rng(8)
    layers = _char_layers(rng, CHARS, EMBEDDING, UNITS, scale=0.05)
    entry = _fake_entry(tmp_path / "char-lstm-512", layers)
    characters = np.array(sorted(set(lp.PASSAGE)) + [chr(ord("Z") + i) for i in range(CHARS - len(set(lp.PASSAGE)))])
    assert len(characters) == CHARS
    export = lp.export_textgen(_textgen_record(entry), {"characters": characters})
    manifest = lp.write_export(export, "full", tmp_path / "out")
    assert manifest["payload_bytes"] <= lp.BUDGET_BYTES, f"{manifest['payload_bytes']:,} bytes"
    assert manifest["quantisation"]["shipped_bytes"] < 0.38 * manifest["quantisation"]["float32_bytes"]
    # Arithmetically: 12 bits (1.5 bytes) per number and a float32 scale per row.
    numbers = EMBEDDING * 4 * UNITS + UNITS * 4 * UNITS
    assert manifest["quantisation"]["shipped_bytes"] == numbers * 3 // 2 + 4 * (EMBEDDING + UNITS)
    # In float32 the same page would not fit: the quantisation is what makes room.
    plain = lp.Export("text-generation", "textgen", tensors=lp.lstm_tensors(lp.read_h5(entry)),
                      fields={"characters": characters.tolist()})
    assert lp.write_export(plain, "full", tmp_path / "plain")["payload_bytes"] > lp.BUDGET_BYTES
    # The manifest says so, and records what 12 bits changed on the passage.
    assert manifest["quantisation"]["tensors"] == ["lstm/kernel", "lstm/recurrent_kernel"]
    assert {"float32_nats", "quantised_nats", "max_abs_difference", "top_changed"} <= set(manifest["quantisation"])
    assert manifest["quantisation"]["max_abs_difference"] < 0.05


def test_a_previous_measurement_is_reused_only_for_the_same_weights(tmp_path: Path) -> None:
    entry = _fake_entry(tmp_path / "char-lstm-a", _char_layers(np.random.default_rng(9), 10, 4, 8))
    arrays = {"characters": np.array(list("aeiou nrst"))}
    first = lp.export_textgen(_textgen_record(entry), arrays).fields["quantisation"]
    stale = dict(first, float32_nats=123.0)
    assert lp.export_textgen(_textgen_record(entry), arrays, {"quantisation": stale}).fields["quantisation"] == stale
    other = dict(stale, fingerprint="0" * 16)
    assert lp.export_textgen(_textgen_record(entry), arrays, {"quantisation": other}).fields["quantisation"] == first


def test_textgen_markup_says_the_lstm_is_stored_in_twelve_bits() -> None:
    info = {"kind": "textgen", "chapter": "text-generation", "profile": "full", "payload_bytes": 1_970_000,
            "quantisation": {"passage_characters": 865, "predictions": 864, "float32_nats": 1.5123,
                             "quantised_nats": 1.5131, "top_changed": 2, "tensors": ["lstm/kernel"]}}
    markup = lp.panel_html(info, lambda path, resource: "../" + path)
    assert "2.0 MB" in markup and "12 bits" in markup
    assert "nats" not in markup and "positions" not in markup and "test reviews" not in markup


NODE_CHECK = r"""
const fs = require('fs'), path = require('path'), vm = require('vm');
const [folder, scripts, prefixesJson] = process.argv.slice(2);
const sandbox = {console};
sandbox.window = sandbox;
sandbox.document = {querySelectorAll: () => []};  // no panel on this page: the classes only
sandbox.fetch = async (url) => {
  const bytes = fs.readFileSync(path.join(folder, url));
  return {ok: true, status: 200, json: async () => JSON.parse(bytes.toString('utf8')),
          arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)};
};
vm.createContext(sandbox);
for (const name of ['nn.js', 'panels.js']) vm.runInContext(fs.readFileSync(path.join(scripts, name), 'utf8'), sandbox);
sandbox.prefixes = JSON.parse(prefixesJson);
vm.runInContext(`(async () => {
  const {manifest, tensors} = await DLBookNN.loadBundle('');
  const model = new DLBookPanels.CharModel(tensors, manifest.characters);
  const decoded = {};
  for (const name of manifest.quantisation.tensors) decoded[name] = Array.from(DLBookNN.dequantised(tensors, name).data);
  // The row-by-row decoder of the sentiment embedding, on the same 12-bit rows.
  const table = new DLBookNN.Embedding(tensors['lstm/kernel'], tensors['lstm/kernel/scales'], tensors['lstm/kernel/low']);
  const rows = Array.from({length: table.rows}, (_, i) => Array.from(table.row(i)));
  const probabilities = prefixes.map((ids) => Array.from(DLBookNN.softmax(model.read(ids).logits, 1)));
  return {decoded, rows, probabilities};
})()`, sandbox).then((out) => process.stdout.write(JSON.stringify(out)), (error) => { console.error(error); process.exit(1); });
"""


def test_nn_js_runs_the_shipped_char_model_as_python_does(tmp_path: Path) -> None:
    """nn.js decodes the 12-bit kernels bit for bit as dequantised() does and gives char_probabilities' numbers."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("no node to run nn.js")
    rng = np.random.default_rng(10)
    entry = _fake_entry(tmp_path / "char-lstm-js", _char_layers(rng, 10, 4, 8, scale=0.7))
    export = lp.export_textgen(_textgen_record(entry), {"characters": np.array(list("aeiou nrst"))})
    lp.write_export(export, "quick", tmp_path / "out")
    prefixes = [rng.integers(0, 10, size=n).tolist() for n in (1, 2, 7, 30, 120)]
    script = tmp_path / "check.js"
    script.write_text(NODE_CHECK)
    result = subprocess.run([node, str(script), str(tmp_path / "out"), str(lp.STATIC / "panels"), json.dumps(prefixes)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    shipped = lp.dequantised(export.tensors)
    for name, values in out["decoded"].items():
        np.testing.assert_array_equal(np.asarray(values, np.float32).reshape(shipped[name].shape), shipped[name])
    assert sorted(out["decoded"]) == ["lstm/kernel", "lstm/recurrent_kernel"]
    np.testing.assert_array_equal(np.asarray(out["rows"]), shipped["lstm/kernel"].astype(np.float64))
    difference = max(float(np.abs(np.asarray(got) - lp.char_probabilities(shipped, ids)[-1]).max())
                     for ids, got in zip(prefixes, out["probabilities"]))
    assert difference < 1e-9, difference
