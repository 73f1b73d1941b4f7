#!/usr/bin/env bash
# The PDF edition: _build/pdf/dlbook.pdf, from the built book.
#   bash scripts/build.sh && bash scripts/build-pdf.sh
# Run it after scripts/build.sh, with the same DLBOOK_PROFILE: the single-page
# build reads the chapters from the HTML build's environment and execution
# cache (_build/.doctrees, _build/.jupyter_cache), so it executes nothing and
# trains nothing. Jupyter Book's single-page HTML (_build/singlehtml) holds
# the intro, the four chapters and the references; Chromium prints it
# (scripts/print_pdf.py, print rules in _ext/static/print.css).
# Installs what it needs once, from Debian's packages: Chromium (as
# scripts/install-browser.sh does) and poppler-utils (pdfinfo, pdftotext, for
# tests/book/test_pdf.py). Extra arguments go to `jupyter-book build`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROMIUM="${DLBOOK_CHROMIUM:-/usr/bin/chromium}"
# The project's virtualenv, unless one is active (scripts/test.sh has it active).
if [ -z "${VIRTUAL_ENV:-}" ]; then
  # shellcheck disable=SC1091
  source "$ROOT/scripts/env.sh"
fi
cd "$ROOT"

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium fonts-dejavu-core)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> Installing from Debian's packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ ! -f _build/html/index.html ]; then
  echo "build-pdf.sh: no built book in _build/html: run scripts/build.sh first." >&2
  exit 2
fi

echo "==> The PDF edition ($DLBOOK_PROFILE profile): single-page HTML, then Chromium prints it"
start=$(date +%s)
jupyter-book build . --builder singlehtml -W -n --keep-going "$@"
python scripts/print_pdf.py --site _build/singlehtml --output _build/pdf/dlbook.pdf
# On the site beside the pages, where the intro links to it.
cp _build/pdf/dlbook.pdf _build/html/dlbook.pdf
echo "==> _build/pdf/dlbook.pdf: $(pdfinfo _build/pdf/dlbook.pdf | awk '/^Pages:/ {print $2}') pages, built in $(( $(date +%s) - start )) s"
