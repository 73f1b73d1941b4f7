"""Sphinx extension: each chapter's trained model, live in the reader's browser.

Every chapter page gets a panel that runs the model this build trained:
chapter 1's autoencoders at every latent size, chapter 2's basic and
denoising autoencoders, chapter 3's character LSTM and chapter 4's review
classifier. Nothing runs on a server.

How:

- The chapters record, in hidden cells, which training-cache entry each model
  came from (``Results.add_training`` stores its key and folder in
  ``_build/metrics/<chapter>.json``) and a few arrays the panels need
  (``Results.save_arrays``: test digits, the character vocabulary, the word
  vocabulary and the test-set scores).
- After the chapters ran (``env-updated``), this extension reads those weights
  from the cache entries (``model.weights.h5``, Keras 3's format, with h5py)
  and writes ``_static/panels/<chapter>/weights.bin`` (little-endian tensors,
  each aligned to 8 bytes) and ``manifest.json`` (shapes, offsets, the
  vocabulary, the profile, where the weights came from).
- ``html-page-context`` puts a "Try the trained model" section before the
  chapter's Summary: a short text, the panel with a "loading" line (what a
  reader without JavaScript keeps), and the two scripts. ``static/panels/nn.js``
  is the forward pass (Dense, Embedding, LSTM), ``panels.js`` the controls.

Why not a converter or a runtime: tensorflowjs' converter needs Keras 2 and
fails on models saved by TF 2.16+; tf2onnx breaks on NumPy 2 and turns a
masked LSTM into a Loop; onnxruntime-web's wasm runtime alone is tens of MB
and tfjs is about 1 MB of script, against 3 MB per page for everything. The
book's models need three layers, which fit in a few kilobytes of JavaScript;
tests/browser checks them against Keras on the same weights.

Size: two panels would not fit the budget in float32, so part of their
weights is stored in 12 bits per number with one float32 scale per row
(:func:`quantise_rows`; nn.js decodes it exactly as :func:`dequantise_rows`
does):

- the sentiment embedding (20,000 x 64 float32, 5.1 MB; 2.0 MB so); the
  manifest records the test accuracy of the quantised model, computed here
  over the chapter's own test reviews, next to the chapter's float32 accuracy;
- the character LSTM's kernel and recurrent kernel (64 x 2,048 and
  512 x 2,048 with 512 units: 4.7 MB in float32, 1.8 MB so); the manifest
  records what that costs on a fixed passage of Romeo and Juliet: the loss in nats
  per character with both weights, the largest change of a next-character
  probability and how often the most likely character changes.

Everything else is float32, bit for bit the trained weights. The manifest's
``quantisation`` lists the quantised tensors; each ships as ``<name>`` (the
high 8 bits, int8), ``<name>/low`` and ``<name>/scales``. The panels' parity
checks (tests/browser) compare the browser with Keras and NumPy on the
weights as shipped, dequantised.

No panel is added to a page whose chapter did not record its models (a
partial build, a chapter that failed): that page stays as it is.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dlbook import lstm  # the one NumPy LSTM step, which the parity checks run

STATIC = Path(__file__).parent / "static"
OUTPUT = "panels"                # under the site's _static
SCRIPTS = ("panels/nn.js", "panels/panels.js")
CSS = "panels/panels.css"
#: The panel goes before this section of the page (every chapter has one).
BEFORE_SECTION = '<section id="summary">'
#: Bumped when the exported format changes, so cached manifests are not reused.
FORMAT = 2
#: Extra download each page may cost (the issue's budget), checked at build time.
BUDGET_BYTES = 3_000_000
#: Tensors each panel ships in 12 bits per number (:func:`quantise_rows`), by panel kind.
QUANTISED = {"textgen": ("lstm/kernel", "lstm/recurrent_kernel"), "sentiment": ("embedding",)}
#: The scheme, as the manifests state it.
SCHEME = "12 bits per number, one float32 scale per row"


@dataclass
class Export:
    """What one chapter's panel ships: tensors, manifest fields and page text."""

    chapter: str
    kind: str
    tensors: dict[str, np.ndarray] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_h5(entry: Path) -> dict[str, np.ndarray]:
    """Every layer variable of a cache entry's ``model.weights.h5`` (Keras 3), by its path."""
    import h5py

    arrays: dict[str, np.ndarray] = {}
    with h5py.File(entry / "model.weights.h5", "r") as weights:
        def visit(name: str, item: Any) -> None:
            if isinstance(item, h5py.Dataset) and name.startswith("layers/"):
                arrays[name] = np.asarray(item)

        weights.visititems(visit)
    return arrays


def autoencoder_tensors(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """Encoder and decoder of a dense autoencoder, told apart by shape (784 -> k -> 784)."""
    kernels = {name: value for name, value in arrays.items() if value.ndim == 2}
    encoder = next(name for name, value in kernels.items() if value.shape[0] == 784)
    decoder = next(name for name, value in kernels.items() if value.shape[1] == 784)
    bias = lambda kernel: arrays[kernel.rsplit("/", 1)[0] + "/1"]  # noqa: E731 (vars/0 kernel, vars/1 bias)
    return {f"{prefix}/encoder/kernel": arrays[encoder], f"{prefix}/encoder/bias": bias(encoder),
            f"{prefix}/decoder/kernel": arrays[decoder], f"{prefix}/decoder/bias": bias(decoder)}


#: A layer variable's path in a Keras 3 ``.weights.h5``: ``[outer/]layers/<class>[_<n>][/cell]/vars/<i>``.
#: Keras names a layer's folder after its class (``dense``, ``dense_1``, ...), not after
#: the layer's own name, and layers without variables (Dropout) have no dataset at all.
_VARIABLE = re.compile(r"(?P<layer>(?:.+/)?layers/(?P<kind>[a-z0-9_]+?)(?:_\d+)?)(?P<cell>/cell)?/vars/(?P<index>\d+)")


def _layer_variables(arrays: dict[str, np.ndarray], kind: str) -> dict[str, list[np.ndarray]]:
    """The variables of every layer of one class (``embedding``, ``lstm``, ``dense``), by layer path, in order."""
    found: dict[str, dict[int, np.ndarray]] = {}
    for name, value in arrays.items():
        match = _VARIABLE.fullmatch(name)
        if match and match["kind"] == kind:
            found.setdefault(match["layer"], {})[int(match["index"])] = value
    return {layer: [values[i] for i in sorted(values)] for layer, values in sorted(found.items())}


def lstm_tensors(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Embedding, LSTM and Dense of a one-LSTM model, under names that panels.js reads.

    The layers are found by class and told apart by shape, not by their index
    in the file: a Dropout between the LSTM and the Dense (chapter 3's model)
    has no weights, and other layers may shift the names Keras gives the
    folders. Raises LookupError unless the file holds exactly one embedding,
    one LSTM whose input is that embedding's width, and one Dense that reads
    the LSTM's units (the panels run nothing else).
    """
    embeddings = [v for v in _layer_variables(arrays, "embedding").values() if len(v) == 1 and v[0].ndim == 2]
    lstms = [v for v in _layer_variables(arrays, "lstm").values() if len(v) == 3]
    if len(embeddings) != 1 or len(lstms) != 1:
        raise LookupError(f"expected one Embedding and one LSTM layer, found {len(embeddings)} and {len(lstms)} "
                          f"among {sorted(arrays)}")
    (embedding,), (kernel, recurrent, bias) = embeddings[0], lstms[0]
    units = recurrent.shape[0]
    if kernel.shape != (embedding.shape[1], 4 * units) or recurrent.shape != (units, 4 * units) \
            or bias.shape != (4 * units,):
        raise LookupError(f"the LSTM's shapes {kernel.shape}, {recurrent.shape}, {bias.shape} do not follow "
                          f"an embedding of width {embedding.shape[1]}")
    heads = [v for v in _layer_variables(arrays, "dense").values()
             if len(v) == 2 and v[0].ndim == 2 and v[0].shape[0] == units and v[1].shape == (v[0].shape[1],)]
    if len(heads) != 1:
        raise LookupError(f"expected one Dense layer reading the LSTM's {units} units, found {len(heads)}")
    dense_kernel, dense_bias = heads[0]
    return {
        "embedding": embedding,
        "lstm/kernel": kernel,
        "lstm/recurrent_kernel": recurrent,
        "lstm/bias": bias,
        "dense/kernel": dense_kernel,
        "dense/bias": dense_bias,
    }


def quantise_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """12 bits per number, one float32 scale per row: ``table ≈ q * scale[:, None]``, ``|q| <= 2047``.

    One scale per row keeps rare words (small vectors) as precise as common
    ones. ``q`` is shipped as its high 8 bits (``int8``, ``q >> 4``) and its
    low 4 bits (two per byte, the even column in the low nibble), so that the
    browser needs no bit stream: ``q = 16 * high + low``. 8 bits alone (int8)
    moved test probabilities by up to 2.5e-3; 12 bits by about 16 times less.

    Returns:
        ``(high, low, scale)``: ``int8 (rows, dim)``, ``uint8 (rows, dim / 2)``, ``float32 (rows,)``.
    """
    table = np.asarray(table, dtype=np.float32)
    if table.shape[1] % 2:
        raise ValueError(f"quantise_rows packs two numbers per byte: the width must be even, got {table.shape[1]}.")
    scale = (np.abs(table).max(axis=1) / 2047.0).astype(np.float32)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(table / scale[:, None]), -2047, 2047).astype(np.int16)
    high = (q >> 4).astype(np.int8)  # arithmetic shift: floor(q / 16), in [-128, 127]
    low = (q & 15).astype(np.uint8)
    return high, (low[:, 0::2] | (low[:, 1::2] << 4)).astype(np.uint8), scale


def dequantise_rows(high: np.ndarray, low: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The float32 table that nn.js's Embedding computes from :func:`quantise_rows`' output."""
    nibbles = np.empty((low.shape[0], 2 * low.shape[1]), dtype=np.int32)
    nibbles[:, 0::2], nibbles[:, 1::2] = low & 15, low >> 4
    return ((16 * high.astype(np.int32) + nibbles).astype(np.float32) * scale[:, None]).astype(np.float32)


def quantise_tensors(tensors: dict[str, np.ndarray], names: tuple[str, ...] | list[str]) -> dict[str, np.ndarray]:
    """``tensors`` with each of ``names`` in 12 bits (:func:`quantise_rows`), as the manifest ships them.

    ``<name>`` becomes the high 8 bits (int8), next to ``<name>/low`` and
    ``<name>/scales``; the other tensors are left as they are.
    """
    out = dict(tensors)
    for name in names:
        out[name], out[f"{name}/low"], out[f"{name}/scales"] = quantise_rows(tensors[name])
    return out


def dequantised(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The weights as a panel runs them: every 12-bit tensor decoded to float32, the rest as shipped.

    The inverse of :func:`quantise_tensors` up to the rounding to 12 bits, and
    bit for bit what nn.js's ``dequantised`` computes in the browser: parity
    checks compare the browser with a forward pass on these weights.
    """
    quantised = {name for name in tensors if f"{name}/low" in tensors and f"{name}/scales" in tensors}
    out = {}
    for name, value in tensors.items():
        if name.endswith(("/low", "/scales")) and name.rsplit("/", 1)[0] in quantised:
            continue
        if name in quantised:
            value = dequantise_rows(value, tensors[f"{name}/low"], tensors[f"{name}/scales"])
        out[name] = value
    return out


def sentiment_probabilities(weights: dict[str, np.ndarray], ids: np.ndarray, batch: int = 5000,
                            dtype: Any = np.float32) -> np.ndarray:
    """P(positive) of post-padded id rows, the padding masked (the state carries over), in ``dtype``.

    The same step as ``dlbook.tasks.SentimentReader.predict`` (:func:`dlbook.lstm.step`), and nn.js;
    float32 as Keras computes, float64 as nn.js does (the parity checks).
    """
    weights = {name: np.asarray(weights[name], dtype=dtype) for name in
               ("embedding", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense/kernel", "dense/bias")}
    embedding, kernel = weights["embedding"], weights["lstm/kernel"]
    recurrent, bias = weights["lstm/recurrent_kernel"], weights["lstm/bias"]
    units = recurrent.shape[0]
    # The input's gates depend only on the word: one product per vocabulary row.
    word_gates = embedding @ kernel + bias
    out = np.empty(len(ids), dtype=np.float64)
    for start in range(0, len(ids), batch):
        rows = ids[start:start + batch]
        h = np.zeros((len(rows), units), dtype)
        c = np.zeros((len(rows), units), dtype)
        for step in range(rows.shape[1]):
            real = rows[:, step] != 0
            if not real.any():
                break  # post-padded: nothing real comes after
            h[real], c[real] = lstm.step(word_gates[rows[real, step]], h[real], c[real], recurrent)
        out[start:start + batch] = lstm.sigmoid(h @ weights["dense/kernel"] + weights["dense/bias"]).ravel()
    return out


def char_probabilities(weights: dict[str, np.ndarray], ids: np.ndarray | list[int]) -> np.ndarray:
    """P(next character) after each prefix ``ids[:t + 1]`` read from a fresh state: ``(len(ids), vocabulary)``.

    Chapter 3's Embedding -> LSTM -> (Dropout, inactive outside training) ->
    Dense logits -> softmax, as panels.js's CharModel computes it: the given
    (float32) weights, every sum and activation in float64.
    """
    w = {name: np.asarray(weights[name], dtype=np.float64) for name in
         ("embedding", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense/kernel", "dense/bias")}
    word_gates = w["embedding"] @ w["lstm/kernel"] + w["lstm/bias"]
    recurrent = w["lstm/recurrent_kernel"]
    h, c = np.zeros(recurrent.shape[0]), np.zeros(recurrent.shape[0])
    states = np.empty((len(ids), recurrent.shape[0]))
    for step, character in enumerate(ids):
        h, c = lstm.step(word_gates[character], h, c, recurrent)
        states[step] = h
    logits = states @ w["dense/kernel"] + w["dense/bias"]
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    return probabilities / probabilities.sum(axis=1, keepdims=True)


#: Where chapter 3's panel measures what 12 bits cost: a fixed passage in the
#: training text's layout (Romeo and Juliet, II.2).
PASSAGE = """ROMEO:
But, soft! what light through yonder window breaks?
It is the east, and Juliet is the sun.
Arise, fair sun, and kill the envious moon,
Who is already sick and pale with grief,
That thou her maid art far more fair than she:
Be not her maid, since she is envious;
Her vestal livery is but sick and green
And none but fools do wear it; cast it off.

JULIET:
O Romeo, Romeo! wherefore art thou Romeo?
Deny thy father and refuse thy name;
Or, if thou wilt not, be but sworn my love,
And I'll no longer be a Capulet.

ROMEO:
Shall I hear more, or shall I speak at this?

JULIET:
'Tis but thy name that is my enemy;
Thou art thyself, though not a Montague.
What's Montague? it is nor hand, nor foot,
Nor arm, nor face, nor any other part
Belonging to a man. O, be some other name!
What's in a name? that which we call a rose
By any other name would smell as sweet;
"""


def char_quantisation_cost(weights: dict[str, np.ndarray], shipped: dict[str, np.ndarray],
                           characters: list[str], text: str = PASSAGE) -> dict[str, Any]:
    """What the 12-bit weights change on ``text`` (its characters the model knows), against the float32 ones."""
    index = {character: i for i, character in enumerate(characters)}
    ids = [index[character] for character in text if character in index]
    if len(ids) < 2:
        return {"passage_characters": len(ids)}
    full, ours = char_probabilities(weights, ids)[:-1], char_probabilities(shipped, ids)[:-1]
    following = np.asarray(ids[1:])
    nats = lambda p: float(-np.mean(np.log(p[np.arange(len(following)), following])))  # noqa: E731
    return {
        "passage_characters": len(ids),
        "float32_nats": nats(full),
        "quantised_nats": nats(ours),
        "max_abs_difference": float(np.abs(full - ours).max()),
        "top_changed": int(np.sum(full.argmax(axis=1) != ours.argmax(axis=1))),
        "predictions": len(following),
    }


def _source(record: dict[str, Any], name: str) -> dict[str, Any]:
    training = record.get("training", {}).get(name)
    if not training or "path" not in training:
        raise LookupError(f"{record['chapter']}: no cache entry recorded for {name!r}")
    path = Path(training["path"])
    if not (path / "model.weights.h5").is_file():
        raise LookupError(f"{record['chapter']}: the cache entry of {name!r} is gone ({path})")
    return {"name": name, "key": training["key"], "path": str(path), "epochs": training["epochs"]}


def _arrays(metrics: Path, record: dict[str, Any]) -> dict[str, np.ndarray]:
    name = record.get("arrays", {}).get("panel")
    if not name or not (metrics / name).is_file():
        raise LookupError(f"{record['chapter']}: no panel arrays recorded")
    with np.load(metrics / name, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _digits(images: np.ndarray) -> np.ndarray:
    """MNIST test digits back to their uint8 pixels (the chapters divide by 255)."""
    return np.clip(np.rint(np.asarray(images, dtype=np.float64) * 255), 0, 255).astype(np.uint8).reshape(len(images), 784)


def export_autoencoder(record: dict[str, Any], arrays: dict[str, np.ndarray]) -> Export:
    out = Export("autoencoder", "autoencoder")
    sizes = [int(k) for k in arrays["latent_dims"]]
    for k in sizes:
        source = _source(record, f"autoencoder-{k}")
        out.sources[source["name"]] = source
        out.tensors.update(autoencoder_tensors(read_h5(Path(source["path"])), f"autoencoder-{k}"))
    out.tensors["test_images"] = _digits(arrays["test_images"])
    out.fields["latent_dims"] = sizes
    return out


def export_denoising(record: dict[str, Any], arrays: dict[str, np.ndarray]) -> Export:
    out = Export("denoising-autoencoder", "denoising")
    names = {"denoiser": next(name for name in record["training"] if name.startswith("denoising-autoencoder-")),
             "basic": next(name for name in record["training"] if name.startswith("autoencoder-"))}
    for prefix, name in names.items():
        source = _source(record, name)
        out.sources[name] = source
        out.tensors.update(autoencoder_tensors(read_h5(Path(source["path"])), prefix))
    out.tensors["test_images"] = _digits(arrays["test_images"])
    out.fields["noise_std"] = float(arrays["noise_std"])
    return out


def _bytes(tensors: dict[str, np.ndarray]) -> int:
    return int(sum(np.asarray(value).nbytes for value in tensors.values()))


def _lstm_export(record: dict[str, Any], chapter: str, kind: str,
                 run: str) -> tuple[Export, dict[str, Any], dict[str, np.ndarray], Any]:
    """An LSTM panel's export with the chapter's trained weights, those of ``QUANTISED[kind]`` in 12 bits.

    Returns:
        ``(export, source, weights, names)``: the float32 weights and the
        quantised names are what the manifest's quantisation record needs.
    """
    out = Export(chapter, kind)
    source = _source(record, run)
    out.sources[run] = source
    weights = lstm_tensors(read_h5(Path(source["path"])))
    names = QUANTISED[kind]
    out.tensors.update(quantise_tensors(weights, names))
    return out, source, weights, names


def export_textgen(record: dict[str, Any], arrays: dict[str, np.ndarray],
                   previous: dict[str, Any] | None = None) -> Export:
    # 512 units: the two LSTM kernels are 1.2 million numbers, 4.7 MB in
    # float32, over the page budget; in 12 bits they are 1.8 MB. The Dense
    # kernel (units x vocabulary, an odd width) and the rest stay float32.
    out, source, weights, names = _lstm_export(record, "text-generation", "textgen", "char-lstm")
    characters = [str(character) for character in arrays["characters"]]
    out.fields["characters"] = characters
    out.fields["prompt"] = "ROMEO:"
    # What 12 bits cost on a fixed passage, reused while the weights are the same.
    fingerprint = hashlib.sha256(source["key"].encode() + "".join(characters).encode() + PASSAGE.encode()
                                 + ",".join(names).encode() + bytes([FORMAT])).hexdigest()[:16]
    quantisation = (previous or {}).get("quantisation", {})
    if quantisation.get("fingerprint") != fingerprint:
        quantisation = {**_quantisation_sizes(fingerprint, names, weights, out.tensors),
                        **char_quantisation_cost(weights, dequantised(out.tensors), characters)}
    out.fields["quantisation"] = quantisation
    return out


def _quantisation_sizes(fingerprint: str, names: Any, weights: dict[str, np.ndarray],
                        shipped: dict[str, np.ndarray]) -> dict[str, Any]:
    """The manifest's record of which tensors travel in 12 bits, and their bytes before and after."""
    return {
        "fingerprint": fingerprint,
        "scheme": SCHEME,
        "tensors": list(names),
        "float32_bytes": _bytes({name: weights[name] for name in names}),
        "shipped_bytes": _bytes({part: shipped[part] for name in names
                                 for part in (name, f"{name}/low", f"{name}/scales")}),
    }


def export_sentiment(record: dict[str, Any], arrays: dict[str, np.ndarray],
                     previous: dict[str, Any] | None = None) -> Export:
    out, source, weights, names = _lstm_export(record, "sentiment", "sentiment", "sentiment-lstm")
    scores = np.asarray(arrays["test_probabilities"], dtype=np.float32)
    labels = np.asarray(arrays["test_labels"]).astype(np.uint8)
    out.tensors["test_scores"], out.tensors["test_labels"] = scores, labels
    out.fields.update(vocabulary=[str(word) for word in arrays["vocabulary"]],
                      sequence_length=int(arrays["sequence_length"]), truncating=str(arrays["truncating"]),
                      example="A beautiful film with a clever story, although the ending felt rushed.")
    # What 12 bits cost: the quantised model over the chapter's test reviews,
    # against the chapter's own (Keras, float32) scores. Reused while the
    # weights and the test reviews are the same (it takes seconds).
    x_test = np.asarray(arrays["x_test"], dtype=np.int64)
    fingerprint = hashlib.sha256(source["key"].encode() + x_test.tobytes() + ",".join(names).encode()
                                 + bytes([FORMAT])).hexdigest()[:16]
    quantisation = (previous or {}).get("quantisation", {})
    if quantisation.get("fingerprint") != fingerprint:
        probabilities = sentiment_probabilities(dequantised(out.tensors), x_test)
        quantisation = {
            **_quantisation_sizes(fingerprint, names, weights, out.tensors),
            "float32_test_accuracy": float(np.mean((scores >= 0.5) == labels)),
            "quantised_test_accuracy": float(np.mean((probabilities >= 0.5) == labels)),
            "max_abs_difference": float(np.max(np.abs(probabilities - scores))),
            "decisions_changed": int(np.sum((probabilities >= 0.5) != (scores >= 0.5))),
            "reviews": len(labels),
        }
    out.fields["quantisation"] = quantisation
    return out


#: Page (docname) -> (chapter record name, exporter).
CHAPTERS = {
    "book/autoencoder": ("autoencoder", export_autoencoder),
    "book/denoising-autoencoder": ("denoising-autoencoder", export_denoising),
    "book/text-generation": ("text-generation", export_textgen),
    "book/sentiment": ("sentiment", export_sentiment),
}


def write_export(export: Export, profile: str, folder: Path) -> dict[str, Any]:
    """Write ``weights.bin`` and ``manifest.json`` into ``folder``; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    blob = bytearray()
    specs = {}
    for name, value in export.tensors.items():
        value = np.ascontiguousarray(value)
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.int8): "int8", np.dtype(np.uint8): "uint8"}.get(value.dtype)
        if dtype is None:  # float64 biases and the like
            value, dtype = value.astype("<f4"), "float32"
        blob += bytes(-len(blob) % 8)  # typed-array views need aligned offsets
        specs[name] = {"dtype": dtype, "shape": list(value.shape), "offset": len(blob)}
        blob += value.astype(value.dtype.newbyteorder("<")).tobytes()
    (folder / "weights.bin").write_bytes(bytes(blob))
    manifest = {
        "format": FORMAT, "chapter": export.chapter, "kind": export.kind, "profile": profile,
        "weights": "weights.bin", "tensors": specs, "sources": export.sources, **export.fields,
    }
    text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
    # The manifest's own size is part of the payload it reports.
    manifest["payload_bytes"] = len(blob) + len(text.encode()) + 40
    for name in SCRIPTS:
        manifest["payload_bytes"] += (STATIC / name).stat().st_size
    manifest["payload_bytes"] += (STATIC / CSS).stat().st_size
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return manifest


def export_all(app: Any, env: Any) -> None:
    """After the chapters ran: export the models of every chapter that recorded them."""
    from sphinx.util import logging

    from dlbook import config

    logger = logging.getLogger(__name__)
    metrics = config.metrics_dir()
    app.env.dlbook_panels = {}
    for docname, (chapter, exporter) in CHAPTERS.items():
        if docname not in env.found_docs:
            continue
        record_file = metrics / f"{chapter}.json"
        if not record_file.is_file():
            logger.info(f"live panels: no record of {chapter} in {metrics}, so no panel")
            continue
        record = json.loads(record_file.read_text())
        folder = Path(app.outdir) / "_static" / OUTPUT / chapter
        try:
            arrays = _arrays(metrics, record)
            previous = {}
            if (folder / "manifest.json").is_file():
                previous = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            # The quantised panels reuse the previous build's measurement of what 12 bits cost.
            export = exporter(record, arrays, previous) if exporter in (export_textgen, export_sentiment) \
                else exporter(record, arrays)
        except (LookupError, KeyError, OSError, StopIteration) as error:
            # The chapter ran but its models cannot be found: a real problem (-W fails the build).
            logger.warning(f"live panels: {chapter}: {error!r}")
            continue
        manifest = write_export(export, record["profile"], folder)
        if manifest["payload_bytes"] > BUDGET_BYTES:
            logger.warning(f"live panels: {chapter} ships {manifest['payload_bytes']:,} bytes, over the "
                           f"{BUDGET_BYTES:,}-byte budget per page")
        app.env.dlbook_panels[docname] = {key: manifest[key] for key in ("kind", "chapter", "profile", "payload_bytes")}
        if "quantisation" in manifest:
            app.env.dlbook_panels[docname]["quantisation"] = manifest["quantisation"]


INTRO = {
    "autoencoder": "Draw a digit, or pick one of the test digits: the autoencoders of this chapter, one per code size, "
                   "reconstruct it side by side, each with its per-image error.",
    "denoising": "Pick a test digit and a noise level: the basic autoencoder and the denoiser both see the same noisy "
                 "digit, and each output's error against the clean digit is shown. “New noise” draws another sample.",
    "textgen": "Type a prompt, choose the temperature and the length: the character model samples one character at a "
               "time into the page, and the table shows the five most likely next characters at that temperature.",
    "sentiment": "Type a review: P(positive) follows as you type, word by word. The threshold slider runs over this "
                 "build's test-set scores and updates the confusion matrix, precision, recall and F1; at 0.3, 0.5 and "
                 "0.7 it gives the numbers of the threshold table above.",
}
LABELS = {"autoencoder": "Live autoencoders", "denoising": "Live denoising autoencoder",
          "textgen": "Live text generation", "sentiment": "Live sentiment classifier"}


def panel_html(info: dict[str, Any], pathto: Any) -> str:
    """The section a chapter page gets: text, the panel (loading until its script runs) and the scripts."""
    kind = info["kind"]
    base = pathto(f"_static/{OUTPUT}/{info['chapter']}/", 1)
    megabytes = info["payload_bytes"] / 1e6
    where = (f"It runs in your browser: the page downloads the weights that the <strong>{html.escape(info['profile'])}"
             f"</strong> profile trained for this build ({megabytes:.1f} MB, once) and computes every output here, "
             "with no server involved.")
    q = info.get("quantisation")
    if q and kind == "sentiment":
        where += (" To keep the download small, the word embedding is stored in 12 bits per number instead of 32: "
                  f"on the {q['reviews']:,} test reviews the accuracy is {q['quantised_test_accuracy']:.2%} with it "
                  f"and {q['float32_test_accuracy']:.2%} with the full weights ({q['decisions_changed']} decisions "
                  "at 0.5 change).")
    elif q and kind == "textgen":
        # The measured cost of quantising (loss and changed predictions on a passage) stays in the
        # manifest and its tests: a learner needs to know only that the download is compressed.
        where += " To keep the download small, the LSTM's weights are stored in 12 bits per number instead of 32."
    scripts = "".join(f'<script defer src="{html.escape(pathto("_static/" + name, 1))}"></script>' for name in SCRIPTS)
    return (
        '<section id="live-model" class="dlbook-live">\n'
        '<h2>Try the trained model<a class="headerlink" href="#live-model" title="Link to this heading">#</a></h2>\n'
        f"<p>{INTRO[kind]} {where}</p>\n"
        f'<div class="dlbook-panel" role="group" aria-label="{LABELS[kind]}" data-panel="{kind}" data-src="{html.escape(base)}">\n'
        '<p class="dlbook-panel__status" role="status">The live model is loading. It needs JavaScript; '
        "without it, the figures and tables of this page show the same models.</p>\n"
        '<div class="dlbook-panel__body"></div>\n'
        f"</div>\n{scripts}\n</section>\n"
    )


def add_panel(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    info = getattr(app.env, "dlbook_panels", {}).get(pagename)
    body = context.get("body")
    if not info or not body:
        return
    if BEFORE_SECTION not in body:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(f"live panels: {pagename} has no Summary section to put the panel before")
        return
    context["body"] = body.replace(BEFORE_SECTION, panel_html(info, context["pathto"]) + BEFORE_SECTION, 1)


def configure(app: Any, config: Any) -> None:
    """Serve static/panels/ as _static/panels/ (the other extensions' static folder is the same)."""
    if str(STATIC) not in [str(path) for path in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("env-updated", export_all)
    app.connect("html-page-context", add_panel)
    app.add_css_file(CSS, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
