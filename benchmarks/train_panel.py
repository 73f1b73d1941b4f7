"""Benchmark: the "Train it yourself" panels, training in headless Chromium.

Chapters 1 and 2 let the reader train the chapter's autoencoder in the page
(``_ext/static/train/``: engine.js, hand-written forward and backward pass
with Keras' Adam, run in a Web Worker). This script serves a built book
(``_build/html`` or ``--html``), opens each page in Debian's Chromium through
Playwright and measures:

- ``chapter 1``: the 784-32-784 autoencoder trained in the page's worker for
  ``--seconds`` of training time (default 60): the held-out BCE on the
  shipped test digits every 100 steps, the seconds it took to reach
  ``--target`` (0.11), steps per second, the final BCE, and the book's model
  on the same digits;
- ``chapter 2``: the denoiser at the chapter's σ for the same time: final
  MSE and BCE on the same noisy held-out digits, the book's beside them;
- ``engine``: milliseconds per Adam step (batch 128, latent 32) of
  engine.js on the page's main thread, and its payload;
- ``tfjs`` (with ``--tfjs DIR``, a folder where ``npm install
  @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0`` was run):
  the same model and step in TensorFlow.js 4.22 (``tf.sequential``, Adam,
  ``trainOnBatch``) with each backend that starts (cpu, wasm, webgl), and
  the bytes of script (and .wasm) a page would have to load.

Usage::

    python benchmarks/train_panel.py [--html _build/html] [--seconds 60] [--tfjs /tmp/tfjs] [--json out.json]

Timings depend on the load of the machine (the load average is recorded
before and after).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="The built book.")
    parser.add_argument("--json", metavar="PATH", help="Also write the results to this JSON file.")
    parser.add_argument("--seconds", type=float, default=60.0, help="Training time per chapter (default: 60).")
    parser.add_argument("--target", type=float, default=0.11, help="Chapter 1's held-out BCE target (default: 0.11).")
    parser.add_argument("--tfjs", type=Path, help="A folder with node_modules/@tensorflow/tfjs(-backend-wasm) 4.22.")
    parser.add_argument("--steps", type=int, default=30, help="Timed steps per engine (default: 30).")
    return parser.parse_args(argv)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


#: Train for a time in the page's worker, collecting every held-out evaluation.
TRAIN_FOR = """async (seconds) => {
  const panel = await DLBookTrainPanels.ready, evaluations = [];
  const listen = (e) => { if (e.data.type === 'evaluation') evaluations.push({step: e.data.step, seconds: e.data.seconds,
                                                                            bce: e.data.bce, mse: e.data.mse}); };
  panel.worker.addEventListener('message', listen);
  const comparison = panel.next('comparison', (m) => !m.quiet);
  const done = panel.next('done');
  panel.worker.postMessage({type: 'configure', config: Object.assign(panel.config(), {seconds, steps: 0})});
  panel.worker.postMessage({type: 'start'});
  const finished = await done, compared = await comparison;
  panel.worker.removeEventListener('message', listen);
  return {config: panel.config(), finished, evaluations, mine: compared.mine, book: compared.book};
}"""

#: engine.js on the main thread: milliseconds per step of a 784-32-784 model, batch 128.
ENGINE_STEP = """async (steps) => {
  const panel = await DLBookTrainPanels.ready, T = DLBookTrain;
  const train = await T.fetchInflated(new URL(panel.root.dataset.src, document.baseURI).href + 'train-digits.u8.zlib');
  const x = T.gather(train, Uint32Array.from({length: 128}, (_, i) => i), new Float32Array(128 * 784));
  const model = new T.Autoencoder({latent: 32, seed: 1, learningRate: 4e-3});
  for (let i = 0; i < 5; i++) model.step(x, x, 128);
  const start = performance.now();
  for (let i = 0; i < steps; i++) model.step(x, x, 128);
  return (performance.now() - start) / steps;
}"""

TFJS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tfjs step</title>
<script src="tf.min.js"></script><script src="tf-backend-wasm.min.js"></script></head><body></body></html>"""

#: The same model and step in TensorFlow.js, per backend.
TFJS_STEP = """async ([backend, steps, pixels]) => {
  tf.wasm && tf.wasm.setWasmPaths && tf.wasm.setWasmPaths(location.href.replace(/[^/]*$/, ''));
  const ok = await tf.setBackend(backend).catch(() => false);
  if (!ok) return {backend, error: 'did not start'};
  await tf.ready();
  const model = tf.sequential({layers: [tf.layers.dense({inputShape: [784], units: 32, activation: 'relu'}),
                                        tf.layers.dense({units: 784, activation: 'sigmoid'})]});
  model.compile({optimizer: tf.train.adam(4e-3), loss: 'binaryCrossentropy'});
  const x = tf.tensor2d(Float32Array.from(pixels), [128, 784]);
  for (let i = 0; i < 3; i++) await model.trainOnBatch(x, x);
  const start = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, x);
  return {backend: tf.getBackend(), ms_per_step: (performance.now() - start) / steps};
}"""


def measure_tfjs(browser, folder: Path, steps: int, pixels: list[float]) -> dict:
    """TensorFlow.js 4.22's payload and milliseconds per step, per backend, on a page of its own."""
    modules = folder / "node_modules" / "@tensorflow"
    files = {"tf.min.js": modules / "tfjs" / "dist" / "tf.min.js",
             "tf-backend-wasm.min.js": modules / "tfjs-backend-wasm" / "dist" / "tf-backend-wasm.min.js"}
    wasm = sorted((modules / "tfjs-backend-wasm" / "dist").glob("*.wasm"))
    version = json.loads((modules / "tfjs" / "package.json").read_text())["version"]
    with tempfile.TemporaryDirectory() as temporary:
        site = Path(temporary)
        for name, path in files.items():
            shutil.copy(path, site / name)
        for path in wasm:
            shutil.copy(path, site / path.name)
        (site / "index.html").write_text(TFJS_PAGE)
        server, base = _serve(site)
        try:
            results = []
            for backend in ("cpu", "wasm", "webgl"):
                page = browser.new_page()
                page.goto(f"{base}/index.html", wait_until="load")
                try:
                    results.append(page.evaluate(TFJS_STEP, [backend, steps, pixels]))
                except Exception as error:  # a backend that fails in headless Chromium is a result too
                    results.append({"backend": backend, "error": str(error).splitlines()[0]})
                page.close()
        finally:
            server.shutdown()
    sizes = {name: path.stat().st_size for name, path in files.items()}
    return {
        "version": version,
        "payload_bytes": {"tf.min.js (core, layers, cpu, webgl)": sizes["tf.min.js"],
                          "tf-backend-wasm.min.js": sizes["tf-backend-wasm.min.js"],
                          **{path.name: path.stat().st_size for path in wasm}},
        "backends": results,
    }


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    from book_site import CHROMIUM, CHROMIUM_FLAGS, DESKTOP
    from playwright.sync_api import sync_playwright

    for doc in ("autoencoder", "denoising-autoencoder"):
        if not (arguments.html / "_static" / "train" / doc / "manifest.json").is_file():
            sys.exit(f"No training panel of {doc} in {arguments.html}: build the book first.")
    manifests = {doc: json.loads((arguments.html / "_static" / "train" / doc / "manifest.json").read_text())
                 for doc in ("autoencoder", "denoising-autoencoder")}
    load_before = os.getloadavg()
    server, base = _serve(arguments.html)
    results: dict = {"machine": f"{os.uname().machine}, {os.cpu_count()} CPU cores",
                     "profile": manifests["autoencoder"]["profile"]}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            results["browser"] = f"Chromium {browser.version}, headless"
            for doc in ("autoencoder", "denoising-autoencoder"):
                page = browser.new_page(viewport=DESKTOP)
                page.goto(f"{base}/book/{doc}.html", wait_until="load")
                page.evaluate("async () => { if (!(await DLBookTrainPanels.ready)) throw new Error('no panel'); }")
                run = page.evaluate(TRAIN_FOR, arguments.seconds)
                finished, evaluations = run["finished"], run["evaluations"]
                reached = next((e for e in evaluations if e["step"] > 0 and e["bce"] <= arguments.target), None)
                manifest = manifests[doc]
                book = manifest["book"]["32" if doc == "autoencoder" else "denoiser"]
                entry = {
                    "model": f"784-{run['config']['latent']}-784, Adam lr {run['config']['learningRate']}, "
                             f"batch {run['config']['batchSize']}",
                    "noise_std": run["config"]["noise"],
                    "train_digits": manifest["train"]["count"], "held_out_digits": manifest["test"]["count"],
                    "backend": "engine.js (hand-written JavaScript, float32 weights, float64 sums), one Web Worker",
                    "seconds": round(finished["seconds"], 2), "steps": finished["step"],
                    "steps_per_second": round(finished["step"] / finished["seconds"], 2),
                    "ms_per_step": round(1000 * finished["seconds"] / finished["step"], 1),
                    "epochs_of_shipped_digits": round(finished["epoch"], 2),
                    "final_bce": round(run["mine"]["bce"], 5), "final_mse": round(run["mine"]["mse"], 5),
                    "book_bce": round(run["book"]["bce"], 5), "book_mse": round(run["book"]["mse"], 5),
                    "book_model": f"{book['name']}: {book['epochs']} epochs on {book['train_size']:,} digits",
                    "curve": [{k: round(v, 5) if isinstance(v, float) else v for k, v in e.items()} for e in evaluations],
                    "payload_bytes": manifest["payload_bytes"],
                }
                if doc == "autoencoder":
                    entry["target_bce"] = arguments.target
                    entry["seconds_to_target"] = round(reached["seconds"], 2) if reached else None
                    entry["steps_to_target"] = reached["step"] if reached else None
                    results["engine_main_thread_ms_per_step"] = round(page.evaluate(ENGINE_STEP, arguments.steps), 2)
                results["chapter 1" if doc == "autoencoder" else "chapter 2"] = entry
                page.close()
            scripts = arguments.html / "_static" / "train"
            results["engine_payload_bytes"] = {name: (scripts / name).stat().st_size
                                               for name in ("engine.js", "worker.js", "train.js", "train.css")}
            if arguments.tfjs:
                import zlib

                digits = zlib.decompress((scripts / "autoencoder" / "train-digits.u8.zlib").read_bytes())
                pixels = [b / 255 for b in digits[:128 * 784]]
                results["tfjs"] = measure_tfjs(browser, arguments.tfjs, arguments.steps, pixels)
            browser.close()
    finally:
        server.shutdown()
    results["load_average"] = {"before": [round(v, 2) for v in load_before],
                               "after": [round(v, 2) for v in os.getloadavg()]}
    print(json.dumps({k: v for k, v in results.items()}, indent=2)[:6000])
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
