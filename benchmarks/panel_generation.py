"""Benchmark: characters per second of chapter 3's live panel, in headless Chromium.

The text-generation page runs the chapter's character LSTM in the reader's
browser (``_ext/static/panels/nn.js``). This script serves a built book
(``_build/html`` or ``--html``), opens the page in Debian's Chromium through
Playwright, waits for the panel's weights, and times one stream:

- ``model``: the panel's generator called directly, ``--chars`` characters
  sampled at temperature 1 (the sampling loop, no page updates);
- ``panel``: the reader's path, the Generate button with ``--panel-chars``
  characters, streamed into the page in slices of about 12 ms, timed until
  the last character shows.

Usage::

    python benchmarks/panel_generation.py [--html _build/html] [--json out.json]

The target is at least 1,000 characters per second for one stream on two
CPU cores. Timings depend on the load of the machine (the load average is
recorded).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="The built book.")
    parser.add_argument("--json", metavar="PATH", help="Also write the results to this JSON file.")
    parser.add_argument("--chars", type=int, default=20000, help="Characters per direct run (default: 20000).")
    parser.add_argument("--panel-chars", type=int, default=2000, help="Characters through the button (max 2000).")
    parser.add_argument("--repeats", type=int, default=3, help="Runs of each; the best counts (default: 3).")
    return parser.parse_args(argv)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def main(argv: list[str] | None = None) -> dict:
    arguments = parse_arguments(argv)
    from book_site import CHROMIUM, CHROMIUM_FLAGS, DESKTOP
    from playwright.sync_api import sync_playwright

    page_file = arguments.html / "book" / "text-generation.html"
    if not page_file.is_file():
        sys.exit(f"No built book in {arguments.html}: run scripts/build.sh first.")
    manifest = json.loads((arguments.html / "_static" / "panels" / "text-generation" / "manifest.json").read_text())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(arguments.html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/book/text-generation.html"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page(viewport=DESKTOP)
            page.goto(url, wait_until="load")
            started = time.perf_counter()
            page.evaluate("async () => { if (!(await DLBookPanels.ready)) throw new Error('no panel'); }")
            load_seconds = time.perf_counter() - started
            direct = []
            for repeat in range(arguments.repeats):
                direct.append(page.evaluate("""async ([chars, seed]) => {
                  const panel = await DLBookPanels.ready, ids = panel.model.encode('ROMEO:').ids;
                  const start = performance.now();
                  const text = panel.model.generate(ids, chars, 1.0, seed);
                  return text.length / ((performance.now() - start) / 1000);
                }""", [arguments.chars, repeat + 1]))
            streamed = []
            panel = page.locator(".dlbook-panel")
            panel.get_by_label("Characters to generate").fill(str(arguments.panel_chars))
            prompt = panel.get_by_label("Prompt").input_value()
            for _ in range(arguments.repeats):
                start = page.evaluate("performance.now()")
                panel.get_by_role("button", name="Generate").click()
                page.wait_for_function(f"document.querySelector('.dlbook-panel pre').textContent.length >= "
                                       f"{len(prompt) + arguments.panel_chars}", timeout=120_000)
                end = page.evaluate("performance.now()")
                streamed.append(arguments.panel_chars / ((end - start) / 1000))
                page.wait_for_function("!document.querySelector('.dlbook-panel button').disabled")
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
    results = {
        "profile": manifest["profile"],
        "model": {"characters": len(manifest["characters"]),
                  "units": manifest["tensors"]["lstm/recurrent_kernel"]["shape"][0],
                  "embedding_dim": manifest["tensors"]["embedding"]["shape"][1]},
        "browser": f"Chromium {version}, headless",
        "machine": f"{os.uname().machine}, {os.cpu_count()} CPU cores, load average "
                   + ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        "payload_bytes": manifest["payload_bytes"],
        "load_seconds": round(load_seconds, 3),
        "direct_chars_per_second": round(max(direct), 1),
        "panel_streamed_chars_per_second": round(max(streamed), 1),
        "runs": {"direct": [round(v, 1) for v in direct], "panel": [round(v, 1) for v in streamed]},
        "target_chars_per_second": 1000,
    }
    print(json.dumps(results, indent=2))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
