"""The chapters' live panels in headless Chromium: the same numbers as Keras, and they respond.

Every chapter page runs the model its build trained, in the browser, with the
hand-written forward pass of ``_ext/static/panels/nn.js``. These checks load
each page, wait for its panel (``DLBookPanels.ready``) and compare its outputs
with Keras on the same weights, read from the build's ``_static/panels``:

- reconstructions of 60 inputs by every autoencoder (chapters 1 and 2);
- the next-character distribution after 60 prefixes (chapter 3), and the
  continuation at a temperature near 0, which must be the argmax one;
- P(positive) of 60 reviews (chapter 4), among them the empty review, a
  2,000-word one, emoji and non-English text, and their token ids.

Parity is defined on the weights as shipped: the sentiment embedding and the
character LSTM's kernel and recurrent kernel travel in 12 bits per number
(the manifest's ``quantisation``), and the reference forward passes run on
those tensors dequantised exactly as the browser decodes them
(``live_panels.dequantised``). Against NumPy in float64 on those weights (the
browser's arithmetic) the outputs must agree within 1e-6; against Keras
(float32 arithmetic) on the same weights within 1e-4. What the 12 bits cost
is measured separately, against the chapter's float32 weights: the sentiment
panel must stay within 2e-3 of them and give the same decision at 0.5, the
character panel's next-character probabilities within 0.05.

Then each panel must respond to the reader (a digit drawn or picked, a slider
moved with the keyboard, a prompt or a review typed), the threshold slider must
give the chapter's threshold table at 0.3, 0.5 and 0.7, axe-core must find
nothing serious in the working panel, and the page must say that it is loading
when JavaScript is off. The differences measured are written to
``<build>/screenshots/live-panels.json``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from book_site import DESKTOP, HTML, PHONE, ROOT, SCREENSHOTS
from test_site import BLOCKING_IMPACTS, THEME_EXCEPTIONS

sys.path.insert(0, str(ROOT / "_ext"))
import live_panels  # noqa: E402 (the exporter's dequantisation: the Python side of the 12-bit format)

PANELS = HTML / "_static" / "panels"
METRICS = HTML.parent / "metrics"
MEASURED: dict[str, float] = {}
#: The issue's budget: extra download per page, uncompressed.
BUDGET_BYTES = 3_000_000


@dataclass
class Exported:
    manifest: dict
    tensors: dict[str, np.ndarray]
    folder: Path


def exported(chapter: str) -> Exported:
    """The manifest and tensors the build wrote for a chapter's panel, read back in Python."""
    folder = PANELS / chapter
    if not (folder / "manifest.json").is_file():
        pytest.fail(f"no exported panel in {folder}: the build did not export {chapter}'s models")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    blob = (folder / manifest["weights"]).read_bytes()
    tensors = {}
    for name, spec in manifest["tensors"].items():
        count = int(np.prod(spec["shape"]))
        tensors[name] = np.frombuffer(blob, dtype=np.dtype(spec["dtype"]).newbyteorder("<"), count=count,
                                      offset=spec["offset"]).reshape(spec["shape"])
    return Exported(manifest, tensors, folder)


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    return keras


@contextmanager
def panel_page(browser, site: str, doc: str, *, viewport=DESKTOP, color_scheme: str = "light"):
    """A page of ``doc`` whose panel has loaded; fails on any console error or uncaught exception."""
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type in ("error", "warning") and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{site}/{doc}.html", wait_until="load")
        kind = page.evaluate("async () => { const p = await DLBookPanels.ready; return p && p.kind; }")
        assert kind, f"the panel of {doc} did not load: " + page.locator(".dlbook-panel__status").inner_text()
        yield page
        assert not errors, f"console errors or warnings: {errors}"
    finally:
        context.close()


def record(name: str, value: float) -> None:
    MEASURED[name] = value
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "live-panels.json").write_text(json.dumps(MEASURED, indent=1))


# ------------------------------------------------------------------ parity

def dense_autoencoder(keras, tensors: dict[str, np.ndarray], prefix: str):
    encoder, decoder = tensors[f"{prefix}/encoder/kernel"], tensors[f"{prefix}/decoder/kernel"]
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(encoder.shape[1], activation="relu"),
                              keras.layers.Dense(784, activation="sigmoid")])
    model.set_weights([encoder, tensors[f"{prefix}/encoder/bias"], decoder, tensors[f"{prefix}/decoder/bias"]])
    return model


def test_exported_weights_are_the_cache_entries(html_dir) -> None:
    """The panels ship the very weights the chapters trained: float32 bit for bit, the rest as their 12-bit rounding."""
    import h5py

    checked = quantised = 0
    for chapter in ("autoencoder", "denoising-autoencoder", "text-generation", "sentiment"):
        export = exported(chapter)
        names = export.manifest.get("quantisation", {}).get("tensors", [])
        parts = {part for name in names for part in (name, f"{name}/low", f"{name}/scales")}
        for source in export.manifest["sources"].values():
            entry = Path(source["path"]) / "model.weights.h5"
            if not entry.is_file():
                pytest.fail(f"{chapter}: the cache entry {entry} the build exported is gone")
            with h5py.File(entry, "r") as weights:
                layers = [np.asarray(weights[name]) for name in _datasets(weights) if name.startswith("layers/")]
            stored = {value.tobytes() for value in layers}
            shipped = {value.tobytes() for name, value in export.tensors.items()
                       if value.dtype == np.float32 and not name.startswith("test_") and name not in parts}
            overlap = shipped & stored
            assert overlap, f"{chapter}: no shipped tensor equals one of {entry}"
            checked += len(overlap)
            # Each 12-bit tensor is exactly quantise_rows of one stored float32 tensor.
            for name in names:
                matches = [value for value in layers if value.shape == export.tensors[name].shape
                           and all(np.array_equal(a, export.tensors[part]) for a, part in
                                   zip(live_panels.quantise_rows(value), (name, f"{name}/low", f"{name}/scales")))]
                assert matches, f"{chapter}: {name} is not the 12-bit form of a tensor of {entry}"
                quantised += 1
    # Every float32 layer tensor: 4 autoencoders and 2 denoising ones (4 each), the char
    # model's embedding, LSTM bias and Dense (4), the classifier's LSTM and Dense (5).
    assert checked >= 4 * 4 + 2 * 4 + 4 + 5
    assert quantised == 3, "the char LSTM's two kernels and the sentiment embedding travel in 12 bits"


def _datasets(group) -> list[str]:
    import h5py

    names: list[str] = []
    group.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
    return names


def test_autoencoder_reconstructions_match_keras(browser, site, keras) -> None:
    export = exported("autoencoder")
    rng = np.random.default_rng(0)
    digits = export.tensors["test_images"][:50] / 255.0
    # Not only digits: uniform noise and a blank image cover the whole input range.
    inputs = np.vstack([digits, rng.uniform(size=(9, 784)), np.zeros((1, 784))]).astype(np.float32)
    with panel_page(browser, site, "book/autoencoder") as page:
        outputs = page.evaluate("""async (inputs) => {
          const panel = await DLBookPanels.ready;
          return panel.models.map((m) => [m.latentDim, inputs.map((x) => Array.from(m.reconstruct(Float64Array.from(x))))]);
        }""", inputs.tolist())
    assert [k for k, _ in outputs] == export.manifest["latent_dims"]
    assert {16, 32, 64, 128} <= set(export.manifest["latent_dims"])
    for latent_dim, browser_output in outputs:
        expected = dense_autoencoder(keras, export.tensors, f"autoencoder-{latent_dim}").predict(inputs, verbose=0)
        difference = float(np.abs(np.asarray(browser_output) - expected).max())
        record(f"autoencoder-{latent_dim} max abs difference", difference)
        assert difference <= 1e-4, f"latent {latent_dim}: the browser's reconstruction differs by {difference}"


def test_denoising_outputs_match_keras(browser, site, keras) -> None:
    export = exported("denoising-autoencoder")
    rng = np.random.default_rng(1)
    clean = export.tensors["test_images"][:60] / 255.0
    sigma = rng.uniform(0, 1, size=(60, 1))
    noisy = np.clip(clean + sigma * rng.normal(size=clean.shape), 0, 1).astype(np.float32)
    with panel_page(browser, site, "book/denoising-autoencoder") as page:
        outputs = page.evaluate("""async (inputs) => {
          const panel = await DLBookPanels.ready;
          return [panel.basic, panel.denoiser].map((m) => inputs.map((x) => Array.from(m.reconstruct(Float64Array.from(x)))));
        }""", noisy.tolist())
    for name, browser_output in zip(("basic", "denoiser"), outputs):
        expected = dense_autoencoder(keras, export.tensors, name).predict(noisy, verbose=0)
        difference = float(np.abs(np.asarray(browser_output) - expected).max())
        record(f"denoising {name} max abs difference", difference)
        assert difference <= 1e-4, f"{name}: the browser's output differs by {difference}"


def char_model(keras, weights: dict[str, np.ndarray]):
    """The chapter's own architecture (its build_model cell, Dropout included) with float32 ``weights``.

    Pass the shipped weights dequantised (``live_panels.dequantised``) to check
    the browser's forward pass, the cache entry's to measure the 12 bits.
    """
    from dlbook.recipes import text_generation as recipe

    vocab, dim = weights["embedding"].shape
    assert dim == recipe.embedding_dim
    model = recipe.build_model(vocab, weights["lstm/recurrent_kernel"].shape[0])
    model.set_weights([weights[name] for name in ("embedding", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias",
                                                  "dense/kernel", "dense/bias")])
    return model


def char_weights_trained(export: Exported) -> dict[str, np.ndarray]:
    """The chapter's float32 weights, read from the cache entry the panel was exported from."""
    return live_panels.lstm_tensors(live_panels.read_h5(Path(export.manifest["sources"]["char-lstm"]["path"])))


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    out = np.exp(logits - logits.max())
    return out / out.sum()


PASSAGE = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
           "ROMEO:\nBut, soft! what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n")


def test_next_character_distribution_matches_keras(browser, site, keras) -> None:
    export = exported("text-generation")
    characters = export.manifest["characters"]
    rng = np.random.default_rng(2)
    prefixes = [PASSAGE[:n] for n in range(1, len(PASSAGE), 5)][:45]
    prefixes += ["".join(rng.choice(characters, size=n)) for n in rng.integers(1, 120, size=15)]
    prefixes = [p for p in prefixes if all(c in characters for c in p)]
    assert len(prefixes) >= 50
    with panel_page(browser, site, "book/text-generation") as page:
        browser_probabilities = page.evaluate("""async (prefixes) => {
          const panel = await DLBookPanels.ready, NN = DLBookNN;
          return prefixes.map((p) => Array.from(NN.softmax(panel.model.read(panel.model.encode(p).ids).logits, 1)));
        }""", prefixes)
    assert export.manifest["quantisation"]["tensors"] == ["lstm/kernel", "lstm/recurrent_kernel"]
    shipped = live_panels.dequantised(export.tensors)  # the weights exactly as the browser decodes them
    model, trained = char_model(keras, shipped), char_model(keras, char_weights_trained(export))
    numpy = keras_difference = cost = 0.0
    for prefix, got in zip(prefixes, browser_probabilities):
        got = np.asarray(got)
        ids = [characters.index(c) for c in prefix]
        # The forward pass itself: float64 NumPy on the shipped weights, the browser's arithmetic.
        numpy = max(numpy, float(np.abs(got - live_panels.char_probabilities(shipped, ids)[-1]).max()))
        keras_ids = np.array([ids], dtype=np.int32)
        expected = softmax(model(keras_ids, training=False)[0, -1])
        keras_difference = max(keras_difference, float(np.abs(got - expected).max()))
        # What the reader gets against the chapter's float32 model.
        cost = max(cost, float(np.abs(got - softmax(trained(keras_ids, training=False)[0, -1])).max()))
    record("char-lstm next-character max abs difference, same (12-bit) weights, NumPy float64", numpy)
    record("char-lstm next-character max abs difference, same (12-bit) weights, Keras", keras_difference)
    record("char-lstm next-character max abs difference, against float32 Keras", cost)
    assert numpy <= 1e-6, f"the browser's next-character distribution differs from NumPy's by {numpy}"
    assert keras_difference <= 1e-4, f"the browser's next-character distribution differs from Keras' by {keras_difference}"
    assert cost <= 0.05, f"12-bit LSTM weights move a next-character probability by {cost}"


def test_near_zero_temperature_gives_the_argmax_continuation(browser, site, keras) -> None:
    from dlbook import textgen

    export = exported("text-generation")
    characters = export.manifest["characters"]
    prompt, length = "ROMEO:", 200
    with panel_page(browser, site, "book/text-generation") as page:
        cold, warm = page.evaluate("""async ([prompt, length]) => {
          const panel = await DLBookPanels.ready, ids = panel.model.encode(prompt).ids;
          return [panel.model.generate(ids, length, 1e-3, 7), panel.model.generate(ids, length, 1.0, 7)];
        }""", [prompt, length])
    # The book's NumPy reference generator, fed the same (shipped, dequantised) weights through Keras.
    generator = textgen.OneStep(char_model(keras, live_panels.dequantised(export.tensors)),
                                textgen.CharVocabulary(characters))
    states = generator.initial_state(1)
    for character in prompt:
        logits, states = generator.step(np.array([characters.index(character)]), states)
    greedy = []
    for _ in range(length):
        greedy.append(int(np.argmax(logits[0])))
        logits, states = generator.step(np.array([greedy[-1]]), states)
    assert cold == "".join(characters[i] for i in greedy)
    assert warm != cold, "at temperature 1 the sampler should not follow the argmax for 200 characters"


def sentiment_reviews(vocabulary: list[str]) -> list[str]:
    rng = np.random.default_rng(3)
    words = vocabulary[2:]
    special = [
        "",  # the empty review: no token at all
        " ".join(rng.choice(words[:5000], size=2000)),  # 2,000 words: only the last ones are read
        "Loved it 😍😍 best film ever 🎬👍",
        "😡 😡 😡",
        "Ce film était magnifique, les acteurs sont formidables !",
        "Ein schrecklicher Film. Die Handlung ist langweilig und die Schauspieler sind schlecht.",
        "この映画は本当に素晴らしかった。",
        "这部电影太无聊了",
        "NOT bad.<br /><br />Actually GREAT!!! 10/10 -- would watch again.",
        "The WORST movie... ever; a waste of time & money (1/10).",
        "   \n\t  ",
        "It's a don't-miss film; the director's best.",
    ]
    made = [" ".join(rng.choice(words[:3000], size=n)) for n in rng.integers(1, 400, size=48)]
    return special + made


def sentiment_model(keras, tensors: dict[str, np.ndarray], embedding: np.ndarray):
    """The chapter's own classifier (its ``build_model`` cell, ``dlbook.recipes.sentiment``) with ``tensors``."""
    from dlbook.recipes import sentiment as recipe

    model = recipe.build_model(embedding.shape[0])
    model.set_weights([embedding, tensors["lstm/kernel"], tensors["lstm/recurrent_kernel"], tensors["lstm/bias"],
                       tensors["dense/kernel"], tensors["dense/bias"]])
    return model


def test_sentiment_probabilities_match_keras(browser, site, keras) -> None:
    import h5py
    from dlbook import sentiment

    export = exported("sentiment")
    manifest, tensors = export.manifest, export.tensors
    reviews = sentiment_reviews(manifest["vocabulary"])
    assert len(reviews) >= 50
    with panel_page(browser, site, "book/sentiment") as page:
        results = page.evaluate("""async (reviews) => {
          const panel = await DLBookPanels.ready;
          return reviews.map((r) => { const p = panel.model.predict(r); return [p.probability, p.steps.map((s) => s.id)]; });
        }""", reviews)
    got = np.array([probability for probability, _ in results])

    # Token ids: the chapter's own vectorizer (TextVectorization) with the shipped vocabulary.
    vectorizer = keras.layers.TextVectorization(standardize="lower_and_strip_punctuation", output_mode="int",
                                                ragged=True, vocabulary=manifest["vocabulary"])
    ids = sentiment.vectorize(vectorizer, reviews, manifest["sequence_length"], truncating=manifest["truncating"])
    for review, row, (_, browser_ids) in zip(reviews, ids, results):
        assert browser_ids == [int(i) for i in row if i != 0], f"token ids differ for {review[:60]!r}"
    assert not results[0][1] and len(results[1][1]) == manifest["sequence_length"]

    # The forward pass itself, on the weights as shipped (the 12-bit embedding dequantised):
    # float64 NumPy, the browser's arithmetic, within 1e-6; Keras' float32 within 1e-4.
    assert manifest["quantisation"]["tensors"] == ["embedding"]
    shipped_weights = live_panels.dequantised(tensors)
    shipped = shipped_weights["embedding"]
    numpy = float(np.abs(got - live_panels.sentiment_probabilities(shipped_weights, ids, dtype=np.float64)).max())
    record("sentiment max abs difference, same (12-bit) weights, NumPy float64", numpy)
    assert numpy <= 1e-6
    same_weights = sentiment_model(keras, shipped_weights, shipped).predict(ids, verbose=0).ravel()
    forward = float(np.abs(got - same_weights).max())
    record("sentiment max abs difference, same (12-bit) weights", forward)
    assert forward <= 1e-4

    # What the reader gets against the chapter's model: Keras with its float32 weights.
    with h5py.File(Path(manifest["sources"]["sentiment-lstm"]["path"]) / "model.weights.h5", "r") as weights:
        original = np.asarray(weights["layers/embedding/vars/0"])
    expected = sentiment_model(keras, tensors, original).predict(ids, verbose=0).ravel()
    quantised = float(np.abs(got - expected).max())
    record("sentiment max abs difference, against float32 Keras", quantised)
    assert quantised <= 2e-3
    assert np.array_equal(got >= 0.5, expected >= 0.5)
    assert np.ptp(expected) > 0.3, "reviews that all score alike would prove little"


# --------------------------------------------------------------- the reader

def canvas_pixels(page, selector: str, index: int = 0) -> str:
    return page.locator(selector).nth(index).evaluate("(canvas) => canvas.toDataURL()")


def test_autoencoder_panel_responds_to_picking_and_drawing(browser, site) -> None:
    with panel_page(browser, site, "book/autoencoder") as page:
        panel = page.locator(".dlbook-panel")
        captions = panel.locator("figcaption")
        before, picture = captions.all_inner_texts(), canvas_pixels(page, ".dlbook-panel__digit")
        assert sum("BCE" in text for text in before) == len(exported("autoencoder").manifest["latent_dims"])
        panel.get_by_role("button", name="Next digit").press("Enter")  # from the keyboard
        assert captions.all_inner_texts() != before
        assert canvas_pixels(page, ".dlbook-panel__digit") != picture
        panel.get_by_label("Test digit (1-100)").fill("7")
        panel.get_by_label("Test digit (1-100)").press("Tab")
        seventh = captions.all_inner_texts()
        # Drawing: clear the pad, draw a stroke, and the reconstructions follow it.
        panel.get_by_role("button", name="Clear and draw").click()
        blank = captions.all_inner_texts()
        pad = panel.locator(".dlbook-panel__pad")
        pad.scroll_into_view_if_needed()  # the mouse acts on the viewport only
        box = pad.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.2 + 0.06 * step))
        page.mouse.up()
        page.wait_for_timeout(200)
        drawn = captions.all_inner_texts()
        assert len({tuple(seventh), tuple(blank), tuple(drawn)}) == 3
        ink = page.evaluate("async () => (await DLBookPanels.ready).current().reduce((a, b) => a + b, 0)")
        assert ink > 5, "the stroke did not reach the model's 28 x 28 input"


def test_denoising_panel_responds_to_the_slider_and_new_noise(browser, site) -> None:
    with panel_page(browser, site, "book/denoising-autoencoder") as page:
        panel = page.locator(".dlbook-panel")
        captions = panel.locator("figcaption")
        start = captions.all_inner_texts()
        assert sum("MSE" in text for text in start) == 3
        slider = panel.get_by_label("Noise σ")
        slider.focus()
        page.keyboard.press("Home")  # σ = 0: the noisy input is the clean digit
        assert captions.nth(0).inner_text().endswith("MSE 0.0000")
        page.keyboard.press("End")  # σ = 1
        loud = captions.all_inner_texts()
        assert loud != start
        picture = canvas_pixels(page, ".dlbook-panel__digit")
        panel.get_by_role("button", name="New noise").click()
        assert canvas_pixels(page, ".dlbook-panel__digit") != picture
        # At the chapter's noise level the denoiser must beat the basic autoencoder on average.
        page.evaluate("""async () => {
          const p = await DLBookPanels.ready, s = document.querySelector('.dlbook-panel input[type=range]');
          s.value = String(p.manifest.noise_std); s.dispatchEvent(new Event('input'));
        }""")
        wins = page.evaluate("""async () => {
          const p = await DLBookPanels.ready; let basic = 0, denoiser = 0;
          for (let i = 0; i < 20; i++) {
            p.pickDigit(i + 1);
            const texts = Array.from(document.querySelectorAll('.dlbook-panel figcaption')).map((e) => e.textContent);
            basic += Number(texts[1].split('MSE ')[1]); denoiser += Number(texts[2].split('MSE ')[1]);
          }
          return [basic, denoiser];
        }""")
        assert wins[1] < wins[0], f"denoiser MSE {wins[1]} not below the basic autoencoder's {wins[0]}"


def test_text_panel_streams_and_shows_the_top_five(browser, site) -> None:
    with panel_page(browser, site, "book/text-generation") as page:
        panel = page.locator(".dlbook-panel")
        table = panel.locator("table")
        assert table.locator("tbody tr").count() == 5
        top_at_one = table.inner_text()
        temperature = panel.get_by_label("Temperature")
        temperature.focus()
        page.keyboard.press("Home")  # 0.1: the top character takes nearly everything
        assert table.inner_text() != top_at_one
        first = float(table.locator("tbody tr").first.locator("td").nth(1).inner_text().rstrip(" %"))
        assert first > 90
        page.keyboard.press("End")
        assert panel.locator("output").first.inner_text() == "2.0"
        panel.get_by_label("Prompt").fill("JULIET:")
        panel.get_by_label("Characters to generate").fill("1500")
        panel.get_by_role("button", name="Generate").click()
        output = panel.locator("pre")
        # Streaming: part of the text shows before all of it.
        page.wait_for_function("document.querySelector('.dlbook-panel pre').textContent.length > 7")
        page.wait_for_function("document.querySelector('.dlbook-panel pre').textContent.length >= 1507", timeout=30_000)
        assert output.inner_text().startswith("JULIET:")
        assert "characters per second" in panel.locator(".dlbook-panel__note[role=status]").inner_text()


def test_sentiment_panel_follows_typing(browser, site) -> None:
    with panel_page(browser, site, "book/sentiment") as page:
        panel = page.locator(".dlbook-panel")
        review = panel.get_by_label("Your review")
        verdict = panel.locator(".dlbook-panel__verdict")
        review.fill("")
        empty = verdict.inner_text()
        assert "empty review" in empty
        review.press_sequentially("a dull and boring waste of time", delay=5)
        negative = verdict.inner_text()
        assert panel.locator(".dlbook-panel__token").count() == 7
        review.fill("a wonderful and moving masterpiece")
        positive = verdict.inner_text()
        p_negative, p_positive = (float(text.split("= ")[1][:5]) for text in (negative, positive))
        assert p_negative < 0.5 < p_positive, (negative, positive)


def test_threshold_slider_gives_the_chapters_table(browser, site) -> None:
    record_file = METRICS / "sentiment.json"
    if not record_file.is_file():
        pytest.fail(f"no {record_file}: the chapter's threshold table is needed")
    table = {row["threshold"]: row for row in json.loads(record_file.read_text())["values"]["threshold_table"]}
    with panel_page(browser, site, "book/sentiment") as page:
        panel = page.locator(".dlbook-panel")
        slider = panel.get_by_label("Decision threshold")
        slider.focus()
        page.keyboard.press("Home")
        for threshold in (0.3, 0.5, 0.7):
            target = round(threshold * 100)
            for _ in range(target - round(float(slider.input_value()) * 100)):
                page.keyboard.press("ArrowRight")  # one 0.01 step per key, as a keyboard user moves it
            assert float(slider.input_value()) == threshold
            shown = {cell.get_attribute("data-metric"): cell.inner_text() for cell in panel.locator("[data-metric]").all()}
            row = table[threshold]
            for name in ("tn", "fp", "fn", "tp"):
                assert int(shown[name]) == row[name], (threshold, name, shown[name], row[name])
            for name in ("precision", "recall", "f1", "accuracy"):
                assert shown[name].endswith(f"{row[name]:.3f}"), (threshold, name, shown[name], row[name])


@pytest.mark.parametrize("doc", ["book/autoencoder", "book/denoising-autoencoder", "book/text-generation",
                                 "book/sentiment"])
def test_working_panel_passes_axe_and_says_where_it_runs(browser, site, axe_source, doc: str) -> None:
    with panel_page(browser, site, doc) as page:
        text = page.locator("#live-model").inner_text()
        # Where it runs and whose weights; the profile is named in the page's note, not here (issue 22).
        assert "runs in your browser" in text and "weights this build trained" in text
        assert "profile" not in text
        assert "Ready" in page.locator(".dlbook-panel__status").inner_text()
        page.add_script_tag(content=axe_source)
        report = page.evaluate("async () => await axe.run('#live-model', {resultTypes: ['violations']})")
    blocking = [v for v in report["violations"] if v["impact"] in BLOCKING_IMPACTS
                and not all(any(c in " ".join(n["target"]) for c in THEME_EXCEPTIONS.get(v["id"], ())) for n in v["nodes"])]
    assert not blocking, [(v["id"], [n["target"] for n in v["nodes"]]) for v in blocking]


@pytest.mark.parametrize("doc", ["book/text-generation", "book/sentiment"])
def test_panel_fits_a_phone_in_dark_mode(browser, site, doc: str) -> None:
    with panel_page(browser, site, doc, viewport=PHONE, color_scheme="dark") as page:
        page.locator("#live-model").scroll_into_view_if_needed()
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('#live-model *'))
          .filter((e) => !e.closest('table, pre') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map((e) => e.tagName + '.' + e.className)""")
        assert not wide, f"panel elements wider than 390 px: {wide}"
        colours = page.evaluate("""() => {
          const panel = document.querySelector('.dlbook-panel');
          return [getComputedStyle(panel).color, getComputedStyle(document.body).backgroundColor];
        }""")
        assert page.locator("html").get_attribute("data-theme") == "dark"
        # Light text on the dark page: the panel follows the theme's colours.
        red, green, blue = (float(v) for v in re.findall(r"[\d.]+", colours[0])[:3])
        assert red + green + blue > 3 * 150, colours


@pytest.mark.parametrize("doc", ["book/autoencoder", "book/sentiment"])
def test_without_javascript_the_panel_says_it_is_loading(browser, site, doc: str) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/{doc}.html")
        assert "The live model is loading" in page.locator(".dlbook-panel__status").inner_text()
        assert page.locator("article img").count() > 0, "the static figures must remain"
    finally:
        context.close()


def test_payload_per_page_is_within_budget(html_dir) -> None:
    static = HTML / "_static" / "panels"
    scripts = sum((static / name).stat().st_size for name in ("nn.js", "panels.js", "panels.css"))
    for chapter in ("autoencoder", "denoising-autoencoder", "text-generation", "sentiment"):
        size = scripts + sum(path.stat().st_size for path in (static / chapter).iterdir())
        record(f"{chapter} payload bytes", size)
        assert size <= BUDGET_BYTES, f"{chapter}: {size:,} bytes"
        assert exported(chapter).manifest["payload_bytes"] >= size - 100, "the page states less than it loads"
