#!/usr/bin/env bash
# Install everything into .venv, run the unit tests, build the whole book in the
# quick profile with warnings as errors, run every chapter's .ipynb again in a
# fresh kernel from the warm model cache, and check the built site (HTML
# checks, then a headless browser).
set -euo pipefail
export DLBOOK_PROFILE=quick
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# A cache of trained models inside this checkout, so the test run trains every
# model itself instead of trusting weights left by earlier runs elsewhere.
export DLBOOK_CACHE="${DLBOOK_CACHE:-$ROOT/_build/cache}"
export DLBOOK_METRICS="$ROOT/_build/metrics"

echo "==> Unit tests"
python -m pytest tests/unit tests/ext -q

echo "==> Book build (quick profile): executes every chapter"
start=$(date +%s)
bash scripts/build.sh
first=$(( $(date +%s) - start ))

echo "==> Each launch notebook in a fresh kernel of a clean, Colab-like virtualenv, from the warm model cache"
start=$(date +%s)
DLBOOK_RUN_NOTEBOOKS=1 python -m pytest tests/notebooks -q
second=$(( $(date +%s) - start ))
printf '{"first_build_seconds": %s, "rerun_from_cache_seconds": %s}\n' "$first" "$second" > _build/build-times.json
echo "==> Times: book build ${first} s; every notebook again from the model cache ${second} s"
echo "==> Peak memory per notebook (MB): $(cat _build/notebook-memory.json | tr -d '\n ')"

echo "==> Checks of the built book"
DLBOOK_REQUIRE_BOOK=1 python -m pytest tests/book -q

echo "==> The built site in a headless browser (screenshots in _build/screenshots)"
bash scripts/install-browser.sh
DLBOOK_REQUIRE_BOOK=1 python -m pytest tests/browser -q
