#!/usr/bin/env bash
# Install everything into .venv, run the unit tests, build the whole book in the
# quick profile with warnings as errors, run every chapter's launch notebook
# again in a fresh kernel from the warm model cache (and every exercise solution
# as a smoke test), print the PDF edition, and check the built site (HTML and
# PDF checks, then a headless browser). Prints each stage's seconds at the end; _build/stage-times.json
# keeps them.
set -euo pipefail
export DLBOOK_PROFILE=quick
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# The checkout's own model cache (_build/cache, dlbook.config.cache_dir's
# default inside a checkout), the one scripts/build.sh uses: after
# `bash scripts/build.sh`, this run trains nothing that build trained. A fresh
# clone (CI) starts with it empty and trains every model itself.
export DLBOOK_CACHE="${DLBOOK_CACHE:-$ROOT/_build/cache}"
export DLBOOK_METRICS="$ROOT/_build/metrics"
mkdir -p _build
stages=()
stage() {  # stage NAME COMMAND...: run it, and keep its seconds for the summary
  local name="$1" start
  shift
  echo "==> $name"
  start=$(date +%s)
  "$@"
  stages+=("$name=$(( $(date +%s) - start ))")
}
# A fresh clone has no models folder yet: count 0 (find would fail, and with
# pipefail so would the whole script).
models() {
  if [ -d "$DLBOOK_CACHE/models" ]; then
    find "$DLBOOK_CACHE/models" -mindepth 1 -maxdepth 1 -type d | wc -l
  else
    echo 0
  fi
}

# Two test processes (pytest-xdist): on 2 cores much of a test's time is one
# core's (starting TensorFlow or a kernel, reading data, drawing figures).
stage "unit tests" python -m pytest tests/unit tests/ext -q -n 2

before=$(models)
stage "book build" bash scripts/build.sh
after=$(models)
echo "==> The book build trained $(( after - before )) models; $before were already in $DLBOOK_CACHE/models"

# Two notebooks at a time, the longest first (tests/notebooks/test_execute.py).
stage "Colab-like run" env DLBOOK_RUN_NOTEBOOKS=1 python -m pytest tests/notebooks -q -n 2
echo "==> Peak memory per notebook (MB): $(tr -d '\n ' < _build/notebook-memory.json)"

# The single-page build reuses the HTML build's execution cache: nothing executes.
stage "PDF edition" bash scripts/build-pdf.sh

stage "book checks" env DLBOOK_REQUIRE_BOOK=1 DLBOOK_REQUIRE_PDF=1 python -m pytest tests/book -q

stage "browser install" bash scripts/install-browser.sh
stage "browser checks" env DLBOOK_REQUIRE_BOOK=1 python -m pytest tests/browser -q

total=0
echo "==> Seconds per stage:"
json="{"
for entry in "${stages[@]}"; do
  name="${entry%=*}" seconds="${entry##*=}"
  total=$(( total + seconds ))
  printf '    %-18s %6d\n' "$name" "$seconds"
  json+="\"$name\": $seconds, "
done
printf '    %-18s %6d (CI allows 5400)\n' "total" "$total"
echo "${json}\"total\": $total, \"models_trained_by_the_build\": $(( after - before ))}" > _build/stage-times.json
