"""Print the single-page build of the book (_build/singlehtml) to _build/pdf/dlbook.pdf.

Run by scripts/build-pdf.sh after ``jupyter-book build . --builder singlehtml``.
Chromium (Debian's, the one scripts/install-browser.sh installs) is driven by
Playwright, as in tests/browser: Jupyter Book 1's own ``pdfhtml`` builder
uses pyppeteer, which downloads a browser of its own and fails without
internet. The page is opened from a local web server on 127.0.0.1 (as the
browser checks do: MathJax's fonts and the page's scripts load as on the
site), MathJax is given time to typeset, and Chromium prints it with the
print rules of _ext/static/print.css, with the book's title and the page
number at the foot of each page.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("DLBOOK_CHROMIUM", "/usr/bin/chromium")
#: No internet on the machines that build the book: Chromium's background services stay off.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

#: The running title and the page number at the foot (a page's text then starts with its own).
HEADER = '<div></div>'
FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#666;font-family:sans-serif">'
          '<span class="title"></span> · <span class="pageNumber"></span></div>')


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A web server for ``folder`` on a free local port, in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def print_book(site: Path, pdf: Path, timeout_s: float = 120) -> None:
    """Open ``site``/index.html in Chromium and print it to ``pdf``."""
    from playwright.sync_api import sync_playwright

    server, url = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(color_scheme="light")
            # index.html only redirects (a meta refresh) to the root document, the one page,
            # whose links (_static/, _images/) are written relative to the site's root: open
            # a copy of it there.
            refresh = re.search(r'url=([^"]+)"', (site / "index.html").read_text())
            name = "index.html"
            if refresh:
                name = "dlbook-print.html"
                shutil.copyfile(site / refresh.group(1), site / name)
            page.goto(url + name, wait_until="load", timeout=timeout_s * 1000)
            # MathJax typesets after the page has loaded; printing before it ends would print TeX.
            page.evaluate("""async () => {
                if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
                await document.fonts.ready;
            }""")
            # Paper cannot be clicked: every dropdown (the exercises' solutions, the notes
            # behind "Show") prints open, so that the PDF has what the page has.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.emulate_media(media="print", color_scheme="light")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                     header_template=HEADER, footer_template=FOOTER,
                     margin={"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"})
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "singlehtml")
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "pdf" / "dlbook.pdf")
    args = parser.parse_args()
    start = time.monotonic()
    print_book(args.site, args.output)
    print(f"==> Printed {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
          f"({args.output.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
